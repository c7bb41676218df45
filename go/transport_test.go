package nuvera

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func do(t *testing.T, client *http.Client, method, u, contentType string, body []byte) (int, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(text)
}

func TestTransportAgainstTheMockServer(t *testing.T) {
	m := startMock(t, "--test-routes")
	rec := &recorder{}
	client := &http.Client{Transport: &Transport{Signer: m.signer(t), Base: rec}}
	customer := []byte(`{"companyName":"Acme Imports","registrationNumber":"ACME-123"}`)

	t.Run("json", func(t *testing.T) {
		if status, text := do(t, client, "POST", m.URL+"/api/v1/customers", "application/json", customer); status != 201 {
			t.Fatalf("POST: %d %s", status, text)
		}
	})
	t.Run("query", func(t *testing.T) {
		if status, text := do(t, client, "GET", m.URL+"/api/v1/customers?limit=20&offset=0", "", nil); status != 200 {
			t.Fatalf("GET: %d %s", status, text)
		}
	})
	t.Run("multipart from MultipartForm", func(t *testing.T) {
		form, err := NewMultipartForm()
		if err != nil {
			t.Fatal(err)
		}
		_ = form.AddField("customerId", "c_42")
		_ = form.AddField("type", "INCORPORATION")
		_ = form.AddFileBytes("file", "cert.pdf", bytes.Repeat([]byte("%PDF-1.4 "), 5000), "application/pdf")
		body, err := form.Encode()
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := form.ContentType()
		if status, text := do(t, client, "POST", m.URL+"/api/v1/documents", ct, body); status != 201 {
			t.Fatalf("multipart: %d %s", status, text)
		}
	})
	t.Run("multipart from mime/multipart", func(t *testing.T) {
		// Go's own encoder (another boundary, another part layout) signs alike.
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("customerId", "c_42")
		fw, _ := w.CreateFormFile("file", "passport.png")
		_, _ = fw.Write(bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 1000))
		_ = w.Close()
		if status, text := do(t, client, "POST", m.URL+"/api/v1/documents", w.FormDataContentType(), buf.Bytes()); status != 201 {
			t.Fatalf("multipart: %d %s", status, text)
		}
	})
	t.Run("redirect 307 keeps method and body, signed afresh", func(t *testing.T) {
		before := len(rec.all())
		target := m.URL + "/__test/redirect?status=307&to=" + url.QueryEscape("/api/v1/customers")
		if status, text := do(t, client, "POST", target, "application/json", customer); status != 201 {
			t.Fatalf("307: %d %s", status, text)
		}
		sends := rec.all()[before:]
		if len(sends) != 2 || sends[1].Method != "POST" || !strings.HasSuffix(sends[1].URL, "/api/v1/customers") {
			t.Fatalf("sends %+v", sends)
		}
		if sends[0].Authorization == sends[1].Authorization || sends[1].Authorization == "" {
			t.Error("a token was sent twice or not at all")
		}
	})
	t.Run("redirect 303 becomes GET without a body", func(t *testing.T) {
		before := len(rec.all())
		target := m.URL + "/__test/redirect?status=303&to=" + url.QueryEscape("/api/v1/customers?limit=1")
		if status, text := do(t, client, "POST", target, "application/json", customer); status != 200 {
			t.Fatalf("303: %d %s", status, text)
		}
		sends := rec.all()[before:]
		if len(sends) != 2 || sends[1].Method != "GET" || sends[1].ContentType != "" {
			t.Fatalf("sends %+v", sends)
		}
	})
	t.Run("too many redirects", func(t *testing.T) {
		c := &http.Client{Transport: &Transport{Signer: m.signer(t), Policy: &ClientPolicy{MaxRedirects: 1, CorrectClock: true}}}
		inner := "/__test/redirect?status=302&to=" + url.QueryEscape("/api/v1/customers")
		target := m.URL + "/__test/redirect?status=302&to=" + url.QueryEscape(inner)
		_, err := c.Get(target)
		wantCode(t, err, CodeTooManyRedirects)
	})
	t.Run("retry after 503", func(t *testing.T) {
		retry := DefaultRetryPolicy()
		policy := DefaultClientPolicy()
		policy.Retry = &retry
		rec := &recorder{}
		c := &http.Client{Transport: &Transport{Signer: m.signer(t), Base: rec, Policy: &policy}}
		target := m.URL + "/api/v1/customers?__unavailable=go-retry&__times=2&__retry_after=0"
		if status, text := do(t, c, "GET", target, "", nil); status != 200 {
			t.Fatalf("retry: %d %s", status, text)
		}
		if sends := rec.all(); len(sends) != 3 || sends[0].Authorization == sends[2].Authorization {
			t.Fatalf("sends %+v", sends)
		}
	})
	t.Run("a one-shot body is refused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", m.URL+"/api/v1/customers", io.NopCloser(strings.NewReader("{}")))
		_, err := client.Do(req)
		wantCode(t, err, CodeStreamingBody)
	})
	t.Run("unsigned requests are refused by the server", func(t *testing.T) {
		resp, err := http.Post(m.URL+"/api/v1/customers", "application/json", bytes.NewReader(customer))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("unsigned: %d", resp.StatusCode)
		}
	})
	t.Run("concurrent requests share one signer", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				body := []byte(fmt.Sprintf(`{"companyName":"Acme %d"}`, i))
				req, _ := http.NewRequest("POST", m.URL+"/api/v1/customers", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 201 {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// A hop to another origin goes without credentials; https → http is refused.
func TestTransportCrossOriginAndInsecureRedirects(t *testing.T) {
	m := startMock(t, "--test-routes")
	other := startMock(t, "--test-routes")
	rec := &recorder{}
	client := &http.Client{Transport: &Transport{Signer: m.signer(t), Base: rec}}
	target := m.URL + "/__test/redirect?status=302&to=" + url.QueryEscape(other.URL+"/api/v1/customers")
	status, _ := do(t, client, "GET", target, "", nil)
	sends := rec.all()
	if len(sends) != 2 || sends[1].APIKey != "" || sends[1].Authorization != "" || sends[0].Authorization == "" {
		t.Fatalf("sends %+v", sends)
	}
	if status != 401 {
		t.Fatalf("the other origin got an unsigned request and should refuse it, got %d", status)
	}

	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, m.URL+"/api/v1/customers", http.StatusFound)
	}))
	defer tls.Close()
	c := &http.Client{Transport: &Transport{Signer: m.signer(t), Base: tls.Client().Transport}}
	_, err := c.Get(tls.URL + "/api/v1/customers")
	wantCode(t, err, CodeInsecureRedirect)
}

// A server whose clock is 600 s ahead or behind: the first send is refused for the clock, the
// Transport learns the offset from Date and sends once more; later requests are right at once.
func TestTransportClockCorrection(t *testing.T) {
	for _, offset := range []int64{600, -600} {
		t.Run(fmt.Sprint(offset), func(t *testing.T) {
			m := startMock(t, "--clock-offset", fmt.Sprint(offset))
			signer := m.signer(t)
			rec := &recorder{}
			client := &http.Client{Transport: &Transport{Signer: signer, Base: rec}}
			if status, text := do(t, client, "GET", m.URL+"/api/v1/customers", "", nil); status != 200 {
				t.Fatalf("first: %d %s", status, text)
			}
			if n := len(rec.all()); n != 2 {
				t.Fatalf("want 2 sends (refused, corrected), got %d", n)
			}
			learnt, err := signer.ClockOffset()
			if err != nil || learnt < offset-2 || learnt > offset+2 {
				t.Fatalf("learnt offset %d, %v; the server is %d s off", learnt, err, offset)
			}
			if status, text := do(t, client, "POST", m.URL+"/api/v1/customers", "application/json", []byte(`{"a":1}`)); status != 201 {
				t.Fatalf("second: %d %s", status, text)
			}
			if n := len(rec.all()); n != 3 {
				t.Fatalf("the second request needed %d sends", n-2)
			}
			var claims Claims
			sends := rec.all()
			payload := strings.Split(strings.TrimPrefix(sends[2].Authorization, "Bearer "), ".")[1]
			if err := json.NewDecoder(base64URL(payload)).Decode(&claims); err != nil {
				t.Fatal(err)
			}
			if claims.Exp-claims.Iat != 55 {
				t.Errorf("exp - iat = %d", claims.Exp-claims.Iat)
			}
		})
	}
}

// The request's context stops a retry's wait.
func TestTransportContext(t *testing.T) {
	m := startMock(t, "--test-routes")
	retry := DefaultRetryPolicy()
	policy := DefaultClientPolicy()
	policy.Retry = &retry
	client := &http.Client{Transport: &Transport{Signer: m.signer(t), Policy: &policy}}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", m.URL+"/api/v1/customers?__unavailable=go-ctx&__times=5&__retry_after=5", nil)
	go func() {
		// Cancel once the first 503 is in and the Transport waits.
		for {
			data, _ := readFile(m.Log)
			if strings.Contains(string(data), "go-ctx") {
				cancel()
				return
			}
		}
	}()
	_, err := client.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}
