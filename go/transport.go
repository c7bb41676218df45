package nuvera

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Transport is an http.RoundTripper that signs every request it sends and follows SIGNING.md
// §8 through the core's policy (Exchange): redirects are followed here, each hop signed afresh
// (a hop to another origin goes without x-api-key and Authorization; https→http is refused with
// INSECURE_REDIRECT), retries are opt-in (Policy.Retry), and a clock refusal with a Date header
// corrects the signer's clock offset and sends once more. Every send carries a new token. It
// makes no decision of its own: it asks the Exchange and carries out the answer.
//
// A request body is read through req.GetBody (which http.NewRequest sets for *bytes.Buffer,
// *bytes.Reader and *strings.Reader bodies): once streamed into the signer, and again for each
// send. A body without GetBody cannot be read twice and is refused with STREAMING_BODY.
//
//	client := &http.Client{Transport: &nuvera.Transport{Signer: signer}}
type Transport struct {
	// Signer signs every send. Required.
	Signer *Signer
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Policy is the client policy; nil means DefaultClientPolicy().
	Policy *ClientPolicy
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		// RoundTrip owns the caller's body from here; sends read copies from GetBody.
		defer req.Body.Close()
	}
	if t.Signer == nil {
		return nil, &Error{Code: CodeInvalidArgument, Family: codeFamily(CodeInvalidArgument), Message: "nuvera.Transport has no Signer"}
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	if hasBody && req.GetBody == nil {
		return nil, &Error{Code: CodeStreamingBody, Family: codeFamily(CodeStreamingBody),
			Message: "the request body can be read only once, so it cannot be signed and then sent (nor sent again on a redirect or retry): give a *bytes.Reader, *bytes.Buffer or *strings.Reader body to http.NewRequest, or set req.GetBody"}
	}
	ex, err := NewExchange(t.Policy, req.Method, req.URL.String(), hasBody, t.Signer)
	if err != nil {
		return nil, err
	}
	defer ex.Close()
	attempt, err := ex.First()
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	first := true
	for {
		out, err := t.prepare(req, attempt, hasBody, first)
		if err != nil {
			return nil, err
		}
		first = false
		sentAt := time.Now()
		resp, err := t.base().RoundTrip(out)
		if err != nil {
			return nil, err
		}
		receivedAt := time.Now()
		var body []byte
		if resp.StatusCode == http.StatusUnauthorized {
			// The policy reads a 401's body (its §6 code); the caller still gets all of it.
			body, err = io.ReadAll(io.LimitReader(resp.Body, int64(MaxRefusalBody())+1))
			if err != nil {
				resp.Body.Close()
				return nil, err
			}
			resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		}
		action, err := ex.OnResponse(Response{Status: resp.StatusCode, Header: resp.Header, Body: body, SentAt: sentAt, ReceivedAt: receivedAt})
		if err != nil {
			resp.Body.Close()
			return nil, err
		}
		if !action.Send {
			return resp, nil
		}
		// Drain a little so the connection can be reused, then let the response go.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		resp.Body.Close()
		if err := sleep(ctx, action.Delay); err != nil {
			return nil, err
		}
		attempt = action.Attempt
	}
}

// prepare builds the request for one send: the attempt's method and URL, the body when the
// attempt sends it, and a fresh signature when it carries credentials.
func (t *Transport) prepare(req *http.Request, a Attempt, hasBody, first bool) (*http.Request, error) {
	u, err := url.Parse(a.URL)
	if err != nil {
		return nil, &Error{Code: CodeInvalidURL, Family: codeFamily(CodeInvalidURL), Message: fmt.Sprintf("the core's URL %q does not parse in Go: %v", a.URL, err)}
	}
	ctx := req.Context()
	out := req.Clone(ctx)
	out.Method = a.Method
	out.URL = u
	if !first {
		// The caller's Host was for the first URL; later hops use their own.
		out.Host = ""
	}
	out.Header.Del("x-api-key")
	out.Header.Del("Authorization")
	out.Body, out.GetBody, out.ContentLength = nil, nil, 0
	sendBody := hasBody && a.SendBody
	if !sendBody {
		out.Header.Del("Content-Type")
		out.Header.Del("Content-Length")
		out.Header.Del("Content-Encoding")
	} else {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		out.Body, out.GetBody, out.ContentLength = body, req.GetBody, req.ContentLength
	}
	if a.Credentials {
		signed, err := t.sign(ctx, req, a, sendBody)
		if err != nil {
			if out.Body != nil {
				out.Body.Close()
			}
			return nil, err
		}
		signed.Apply(out.Header)
	}
	return out, nil
}

// sign signs one send: with the body streamed from a fresh GetBody copy (the core chooses the
// multipart canonical object or the bytes from the Content-Type), or with no body.
func (t *Transport) sign(ctx context.Context, req *http.Request, a Attempt, sendBody bool) (*SignedRequest, error) {
	if !sendBody {
		return t.Signer.Sign(a.Method, a.URL, nil)
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return t.Signer.signBodyReader(ctx, a.Method, a.URL, req.Header.Get("Content-Type"), body)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
