package nuvera

/*
#include <stdlib.h>
#include <stdbool.h>
#include "nuvera_signing.h"
*/
import "C"

import (
	"net/http"
	"time"
)

// SentRequest is a request as it was sent, for Explain and NewSupportBundle.
type SentRequest struct {
	Method string
	URL    string
	// Header as sent (NewSupportBundle masks x-api-key and Authorization).
	Header http.Header
	// APIKey is the API key, when known ("" otherwise).
	APIKey string
	// ContentType is the body's Content-Type ("" for none).
	ContentType string
	// Body is the body exactly as sent.
	Body []byte
	// Token is the JWT that was sent.
	Token string
}

// ExplainOptions are Explain's optional inputs.
type ExplainOptions struct {
	// PublicKeyPEM, when given, also checks the signature.
	PublicKeyPEM string
	// Now, when not zero, replaces the system clock for the time window.
	Now time.Time
}

// Report is Explain's answer.
type Report struct {
	// OK is true when no rule fails.
	OK bool
	// JSON is the report as JSON (claims with sub masked).
	JSON string
	// Text is the same report for humans.
	Text string
}

// nowArg is NULL (the system clock) for the zero time.
func nowArg(t time.Time) *C.uint64_t {
	if t.IsZero() {
		return nil
	}
	v := C.uint64_t(t.Unix())
	return &v
}

// Explain says why Nuvera would accept or refuse req.Token for req as sent: every claim is
// derived again from the request, and each disagreement is a finding with its AUTH_* code,
// what was signed, what was sent, and the fix. It never needs the private key.
func Explain(req SentRequest, opts ExplainOptions) (*Report, error) {
	cm, cu, ct := cstr(req.Method), cstr(req.URL), cstr(req.Token)
	defer free(cm)
	defer free(cu)
	defer free(ct)
	ca, cct, cpk := optional(req.APIKey), optional(req.ContentType), optional(opts.PublicKeyPEM)
	defer free(ca)
	defer free(cct)
	defer free(cpk)
	now := nowArg(opts.Now)
	var js, text *C.char
	var ok C.bool
	var cerr *C.nuvera_error
	if err := check(C.nuvera_explain(cm, cu, ca, cct, bytesArg(req.Body), C.size_t(len(req.Body)), ct, cpk, now, &js, &text, &ok, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	return &Report{OK: bool(ok), JSON: takeString(js), Text: takeString(text)}, nil
}

// SupportBundleOptions are NewSupportBundle's inputs besides the request.
type SupportBundleOptions struct {
	// Status and ResponseBody are Nuvera's answer.
	Status       int
	ResponseBody []byte
	// Application is the partner's application name ("" when unknown).
	Application string
	// PublicKeyPEM, when given, also checks the signature.
	PublicKeyPEM string
	// Now, when not zero, replaces the system clock.
	Now time.Time
}

// NewSupportBundle is a support bundle (SIGNING.md §7) as pretty JSON, to attach to a ticket:
// the request as sent (credentials masked), the token decoded, Nuvera's answer and the local
// diagnosis. It holds no API key, token, private key or body bytes.
func NewSupportBundle(req SentRequest, opts SupportBundleOptions) (string, error) {
	cm, cu, ct := cstr(req.Method), cstr(req.URL), cstr(req.Token)
	defer free(cm)
	defer free(cu)
	defer free(ct)
	ca, cct, capp, cpk := optional(req.APIKey), optional(req.ContentType), optional(opts.Application), optional(opts.PublicKeyPEM)
	defer free(ca)
	defer free(cct)
	defer free(capp)
	defer free(cpk)
	hs := newCHeaders(req.Header)
	defer hs.free()
	now := nowArg(opts.Now)
	if opts.Status < 0 || opts.Status > 65535 {
		return "", &Error{Code: CodeInvalidArgument, Family: codeFamily(CodeInvalidArgument), Message: "the response status is not an HTTP status"}
	}
	return stringCall(func(out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_support_bundle(cm, cu, hs.ptr(), hs.count(), ca, cct, bytesArg(req.Body), C.size_t(len(req.Body)), ct,
			C.uint16_t(opts.Status), bytesArg(opts.ResponseBody), C.size_t(len(opts.ResponseBody)), capp, cpk, now, out, cerr))
	})
}
