package nuvera

/*
#include <stdlib.h>
#include "nuvera_signing.h"

nuvera_status nuvera_go_sign_reader(const nuvera_signer *s, const char *method,
		const char *url, uintptr_t h, const uint64_t *iat, const char *jti,
		nuvera_signed_request **out, nuvera_error **err);
nuvera_status nuvera_go_sign_multipart_reader(const nuvera_signer *s, const char *method,
		const char *url, const char *content_type, uintptr_t h, const uint64_t *iat,
		const char *jti, nuvera_signed_request **out, nuvera_error **err);
nuvera_status nuvera_go_sign_body_reader(const nuvera_signer *s, const char *method,
		const char *url, const char *content_type, uintptr_t h, const uint64_t *iat,
		const char *jti, nuvera_signed_request **out, nuvera_error **err);
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sync"
	"time"
)

// Signer signs requests for one API key with one private key. Safe for concurrent use: share
// one per application. Its clock offset (SIGNING.md §8) is shared by every request it signs.
type Signer struct {
	h *handle[*C.nuvera_signer]
}

type signerConfig struct {
	lifetime    time.Duration
	issuer      *string
	audience    *string
	clockOffset *int64
}

// SignerOption configures NewSigner.
type SignerOption func(*signerConfig)

// WithLifetime sets the token lifetime (exp − iat), whole seconds from 1 to 60; the default is
// 55 s. Other values are INVALID_LIFETIME.
func WithLifetime(d time.Duration) SignerOption {
	return func(c *signerConfig) { c.lifetime = d }
}

// WithIssuer sets the token's iss claim; the default is "nuvera-api". Empty is INVALID_CLAIM.
func WithIssuer(issuer string) SignerOption {
	return func(c *signerConfig) { c.issuer = &issuer }
}

// WithAudience sets the token's aud claim; the default is "nuvera-rest-api". Empty is
// INVALID_CLAIM.
func WithAudience(audience string) SignerOption {
	return func(c *signerConfig) { c.audience = &audience }
}

// WithClockOffset starts the signer with a known clock offset in seconds (iat = now + offset),
// e.g. one a previous run learnt (Signer.ClockOffset). Over 24 h is CLOCK_SKEW_TOO_LARGE.
func WithClockOffset(secs int64) SignerOption {
	return func(c *signerConfig) { c.clockOffset = &secs }
}

// NewSigner makes a signer for apiKey with key: a *PrivateKey, or a *RemoteKey held in an HSM
// or a KMS. The signer keeps its own reference to the key.
func NewSigner(key Key, apiKey string, opts ...SignerOption) (*Signer, error) {
	if key == nil || reflect.ValueOf(key).IsNil() {
		return nil, &Error{Code: CodeInvalidArgument, Family: codeFamily(CodeInvalidArgument), Message: "the key is nil"}
	}
	var cfg signerConfig
	for _, o := range opts {
		o(&cfg)
	}
	var lifetime C.uint32_t
	if cfg.lifetime != 0 {
		secs := cfg.lifetime / time.Second
		if cfg.lifetime%time.Second != 0 || secs <= 0 || secs > 1<<31 {
			// The core decides the allowed range; a value C cannot carry is refused as the
			// core would refuse it.
			secs = 1 << 31
		}
		lifetime = C.uint32_t(secs)
	}
	capi := cstr(apiKey)
	defer zeroFree(capi, len(apiKey))
	ciss, caud := optCstr(cfg.issuer), optCstr(cfg.audience)
	defer free(ciss)
	defer free(caud)
	var out *C.nuvera_signer
	err := key.keyHandle().use(func(k *C.nuvera_private_key) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_signer_new_with_options(k, capi, lifetime, ciss, caud, &out, &cerr), cerr, nil)
	})
	if err != nil {
		return nil, err
	}
	if cfg.clockOffset != nil {
		var shifted *C.nuvera_signer
		var cerr *C.nuvera_error
		err := check(C.nuvera_signer_with_clock_offset(out, C.int64_t(*cfg.clockOffset), &shifted, &cerr), cerr, nil)
		C.nuvera_signer_free(out)
		if err != nil {
			return nil, err
		}
		out = shifted
	}
	return &Signer{h: newHandle(out, "Signer", func(p *C.nuvera_signer) { C.nuvera_signer_free(p) })}, nil
}

// Close frees the signer now; later calls fail with OBJECT_CLOSED. Optional: the garbage
// collector frees it otherwise.
func (s *Signer) Close() error {
	s.h.close()
	return nil
}

// String shows no secret.
func (s *Signer) String() string { return "nuvera.Signer" }

// GoString shows no secret.
func (s *Signer) GoString() string { return "nuvera.Signer" }

// ClockOffset is the signer's clock offset in seconds: 0 until a server's Date corrected it
// (SIGNING.md §8, through Transport), or the value given with WithClockOffset.
func (s *Signer) ClockOffset() (int64, error) {
	var out C.int64_t
	err := s.h.use(func(p *C.nuvera_signer) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_signer_clock_offset(p, &out, &cerr), cerr, nil)
	})
	return int64(out), err
}

type signConfig struct {
	iat *int64
	jti *string
}

// SignOption pins what a signature normally takes from the clock and the random source, to
// reproduce a token (tests, test vectors).
type SignOption func(*signConfig)

// WithIssuedAt pins iat (Unix seconds) instead of the clock.
func WithIssuedAt(unix int64) SignOption { return func(c *signConfig) { c.iat = &unix } }

// WithJTI pins the token id instead of a random UUID v4.
func WithJTI(jti string) SignOption { return func(c *signConfig) { c.jti = &jti } }

// sign runs one signing call with the common arguments converted; call does the C call.
func (s *Signer) sign(method, url string, opts []SignOption,
	call func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error),
) (*SignedRequest, error) {
	var cfg signConfig
	for _, o := range opts {
		o(&cfg)
	}
	texts, err := textArgs(textArg{"method", &method}, textArg{"url", &url}, textArg{"jti", cfg.jti})
	if err != nil {
		return nil, err
	}
	cm, cu, cjti := texts[0], texts[1], texts[2]
	var ciat *C.uint64_t
	if cfg.iat != nil {
		if *cfg.iat < 0 {
			return nil, &Error{Code: CodeInvalidClaim, Family: codeFamily(CodeInvalidClaim), Message: fmt.Sprintf("iat %d is before 1970", *cfg.iat)}
		}
		v := C.uint64_t(*cfg.iat)
		ciat = &v
	}
	var signed *SignedRequest
	err = s.h.use(func(p *C.nuvera_signer) error {
		var out *C.nuvera_signed_request
		var cerr *C.nuvera_error
		status, cause := call(p, cm, cu, ciat, cjti, &out, &cerr)
		if err := check(status, cerr, cause); err != nil {
			return err
		}
		var e error
		signed, e = newSignedRequest(out)
		return e
	})
	afterSignature()
	return signed, err
}

// Sign signs a request whose body is exactly body (nil or empty for none). url is an absolute
// URL or a target starting with "/".
func (s *Signer) Sign(method, url string, body []byte, opts ...SignOption) (*SignedRequest, error) {
	return s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
		return st(C.nuvera_signer_sign(p, m, u, bytesArg(body), C.size_t(len(body)), iat, jti, out, cerr)), nil
	})
}

// SignBody signs body as it will be sent with contentType ("" for none): an encoded
// multipart/form-data body through its canonical object, any other body byte for byte. The
// core makes that choice; this is the call for a client that holds the encoded body.
func (s *Signer) SignBody(method, url, contentType string, body []byte, opts ...SignOption) (*SignedRequest, error) {
	var ct *string
	if contentType != "" {
		ct = &contentType
	}
	cct := optCstr(ct)
	defer free(cct)
	return s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
		return st(C.nuvera_signer_sign_body(p, m, u, cct, bytesArg(body), C.size_t(len(body)), iat, jti, out, cerr)), nil
	})
}

// SignReader signs a request whose body is everything r yields, streamed through the core
// (memory does not grow with the body). The caller must send exactly those bytes (read them
// again from their source). A failing reader or a done ctx fails with IO_ERROR wrapping the
// reader's or the context's error.
func (s *Signer) SignReader(ctx context.Context, method, url string, r io.Reader, opts ...SignOption) (*SignedRequest, error) {
	return s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
		var status C.nuvera_status
		cause := withReader(ctx, r, func(h C.uintptr_t) {
			status = st(C.nuvera_go_sign_reader(p, m, u, h, iat, jti, out, cerr))
		})
		return status, cause
	})
}

// SignFile signs a request whose body is the file at path, sent as it is (streamed).
func (s *Signer) SignFile(method, url, path string, opts ...SignOption) (*SignedRequest, error) {
	cpath := cstr(path)
	defer free(cpath)
	return s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
		return st(C.nuvera_signer_sign_file(p, m, u, cpath, iat, jti, out, cerr)), nil
	})
}

// SignBodyHash signs a request whose bodyHash was computed elsewhere (64 lowercase hex digits;
// anything else is INVALID_BODY_HASH).
func (s *Signer) SignBodyHash(method, url, bodyHash string, opts ...SignOption) (*SignedRequest, error) {
	ch := cstr(bodyHash)
	defer free(ch)
	return s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
		return st(C.nuvera_signer_sign_body_hash(p, m, u, ch, iat, jti, out, cerr)), nil
	})
}

// SignMultipart signs a multipart request described by form. After form.Encode (and no part
// added since) the signature covers exactly the encoded bytes.
func (s *Signer) SignMultipart(method, url string, form *MultipartForm, opts ...SignOption) (*SignedRequest, error) {
	var signed *SignedRequest
	err := form.h.useExclusive(func(f *C.nuvera_multipart_form) error {
		var e error
		signed, e = s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
			return st(C.nuvera_signer_sign_multipart(p, m, u, f, iat, jti, out, cerr)), nil
		})
		return e
	})
	return signed, err
}

// SignMultipartWire signs an encoded multipart body sent with contentType
// ("multipart/form-data; boundary=…"), through its canonical object: any encoder's boundary and
// part order sign alike. A body that does not parse is MULTIPART_MALFORMED.
func (s *Signer) SignMultipartWire(method, url, contentType string, body []byte, opts ...SignOption) (*SignedRequest, error) {
	cct := cstr(contentType)
	defer free(cct)
	return s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
		return st(C.nuvera_signer_sign_multipart_wire(p, m, u, cct, bytesArg(body), C.size_t(len(body)), iat, jti, out, cerr)), nil
	})
}

// SignMultipartReader is SignMultipartWire for an encoded body read from r (streamed).
func (s *Signer) SignMultipartReader(ctx context.Context, method, url, contentType string, r io.Reader, opts ...SignOption) (*SignedRequest, error) {
	cct := cstr(contentType)
	defer free(cct)
	return s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
		var status C.nuvera_status
		cause := withReader(ctx, r, func(h C.uintptr_t) {
			status = st(C.nuvera_go_sign_multipart_reader(p, m, u, cct, h, iat, jti, out, cerr))
		})
		return status, cause
	})
}

// Claims are a token's claims (SIGNING.md §3), in contract order. Sub is the API key: String
// hides it.
type Claims struct {
	Iss      string `json:"iss"`
	Aud      string `json:"aud"`
	Sub      string `json:"sub"`
	Method   string `json:"method"`
	URI      string `json:"uri"`
	BodyHash string `json:"bodyHash"`
	Iat      int64  `json:"iat"`
	Exp      int64  `json:"exp"`
	Jti      string `json:"jti"`
}

// String shows the claims without the API key.
func (c Claims) String() string {
	return fmt.Sprintf("{iss:%s aud:%s sub:<hidden> method:%s uri:%s bodyHash:%s iat:%d exp:%d jti:%s}",
		c.Iss, c.Aud, c.Method, c.URI, c.BodyHash, c.Iat, c.Exp, c.Jti)
}

// GoString is String.
func (c Claims) GoString() string { return "nuvera.Claims" + c.String() }

// SignedRequest is the result of signing: the two headers to send, the token, its claims and
// the proof. String and GoString show no API key or token. Safe for concurrent use.
type SignedRequest struct {
	token string
	// The C object stays alive for what is read on demand (claims, proof); the garbage collector
	// frees it.
	h      *handle[*C.nuvera_signed_request]
	once   sync.Once
	claims Claims
	// The other strings are fetched once, on first use.
	authorization, apiKey, claimsJSON, proofJSON lazyString
}

type lazyString struct {
	once sync.Once
	s    string
}

func (l *lazyString) get(f func() string) string {
	l.once.Do(func() { l.s = f() })
	return l.s
}

// borrowed reads a string the signed request owns.
func borrowed(p *C.nuvera_signed_request, f func(*C.nuvera_signed_request, **C.char, **C.nuvera_error) C.nuvera_status) (string, error) {
	var out *C.char
	var cerr *C.nuvera_error
	if err := check(f(p, &out, &cerr), cerr, nil); err != nil {
		return "", err
	}
	return C.GoString(out), nil
}

func newSignedRequest(p *C.nuvera_signed_request) (*SignedRequest, error) {
	r := &SignedRequest{h: newHandle(p, "SignedRequest", func(p *C.nuvera_signed_request) { C.nuvera_signed_request_free(p) })}
	var err error
	if r.token, err = borrowed(p, func(p *C.nuvera_signed_request, o **C.char, e **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_signed_request_token(p, o, e))
	}); err != nil {
		return nil, err
	}
	return r, nil
}

// onDemand reads a string of the C object; the object lives until the collector frees it, and
// its accessors cannot fail on a live object.
func (r *SignedRequest) onDemand(f func(*C.nuvera_signed_request, **C.char, **C.nuvera_error) C.nuvera_status) string {
	var s string
	_ = r.h.use(func(p *C.nuvera_signed_request) error {
		var err error
		s, err = borrowed(p, f)
		return err
	})
	return s
}

// Token is the compact JWT.
func (r *SignedRequest) Token() string { return r.token }

// Authorization is the Authorization header value, "Bearer <token>".
func (r *SignedRequest) Authorization() string {
	return r.authorization.get(func() string {
		return r.onDemand(func(p *C.nuvera_signed_request, o **C.char, e **C.nuvera_error) C.nuvera_status {
			return st(C.nuvera_signed_request_authorization(p, o, e))
		})
	})
}

// APIKey is the x-api-key header value.
func (r *SignedRequest) APIKey() string {
	return r.apiKey.get(func() string {
		return r.onDemand(func(p *C.nuvera_signed_request, o **C.char, e **C.nuvera_error) C.nuvera_status {
			return st(C.nuvera_signed_request_api_key(p, o, e))
		})
	})
}

// Headers are the two headers to send: x-api-key and Authorization.
func (r *SignedRequest) Headers() http.Header {
	h := make(http.Header, 2)
	r.Apply(h)
	return h
}

// Apply sets the two headers on h (replacing earlier values).
func (r *SignedRequest) Apply(h http.Header) {
	h.Set("x-api-key", r.APIKey())
	h.Set("Authorization", r.Authorization())
}

// Claims are the signed claims.
func (r *SignedRequest) Claims() Claims {
	r.once.Do(func() {
		// The library's claims are JSON of this shape by construction.
		_ = json.Unmarshal([]byte(r.ClaimsJSON()), &r.claims)
	})
	return r.claims
}

// ClaimsJSON is the payload exactly as signed (compact JSON, contract order; sub is the API
// key: do not log it).
func (r *SignedRequest) ClaimsJSON() string {
	return r.claimsJSON.get(func() string {
		return r.onDemand(func(p *C.nuvera_signed_request, o **C.char, e **C.nuvera_error) C.nuvera_status {
			return st(C.nuvera_signed_request_claims_json(p, o, e))
		})
	})
}

// Proof is the proof artifact (SIGNING.md §7) as pretty JSON: what was signed, with no secret.
func (r *SignedRequest) Proof() string {
	return r.proofJSON.get(func() string {
		return r.onDemand(func(p *C.nuvera_signed_request, o **C.char, e **C.nuvera_error) C.nuvera_status {
			return st(C.nuvera_signed_request_proof_json(p, o, e))
		})
	})
}

// String shows what was signed, never the API key or the token.
func (r *SignedRequest) String() string { return "nuvera.SignedRequest" + r.Claims().String() }

// GoString is String.
func (r *SignedRequest) GoString() string { return r.String() }

// signBodyReader signs a body read from r as it will be sent with contentType ("" for none);
// the core chooses between the multipart canonical object and the bytes.
func (s *Signer) signBodyReader(ctx context.Context, method, url, contentType string, r io.Reader, opts ...SignOption) (*SignedRequest, error) {
	cct := optional(contentType)
	defer free(cct)
	return s.sign(method, url, opts, func(p *C.nuvera_signer, m, u *C.char, iat *C.uint64_t, jti *C.char, out **C.nuvera_signed_request, cerr **C.nuvera_error) (C.nuvera_status, error) {
		var status C.nuvera_status
		cause := withReader(ctx, r, func(h C.uintptr_t) {
			status = st(C.nuvera_go_sign_body_reader(p, m, u, cct, h, iat, jti, out, cerr))
		})
		return status, cause
	})
}
