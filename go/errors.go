package nuvera

/*
#include "nuvera_signing.h"
*/
import "C"

import "fmt"

// Error is every failure of this package: a stable Code from the core's one list (the Code*
// constants), its Family ("key", "request", "multipart", "io", "registry", "auth", "client",
// "remote", "internal"), for a verifier's refusal the HTTP status to answer with, and a message
// saying what to change. Messages never contain a key, an API key or a token. Match it with
// errors.As:
//
//	var e *nuvera.Error
//	if errors.As(err, &e) && e.Code == nuvera.CodeInvalidURL { … }
type Error struct {
	// Code is the stable code, e.g. "INVALID_URL" or "AUTH_BODY_HASH_MISMATCH".
	Code string
	// Family is the code's family, e.g. "request" or "auth".
	Family string
	// HTTPStatus is, for a verifier's refusal (AUTH_*), the status to answer with (401, or 403
	// for AUTH_PERMISSION_DENIED); 0 otherwise.
	HTTPStatus int
	// Message is the human explanation.
	Message string

	cause error
}

// Error implements error: "CODE: message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the Go error behind an IO_ERROR raised while reading a caller's io.Reader
// (the reader's own error, or the context's), or nil.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is an *Error with the same Code, so errors.Is(err,
// &nuvera.Error{Code: nuvera.CodeTooManyRedirects}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Codes is the core's list of error codes, in its order, as the C library reports it.
func Codes() []string {
	n := int(C.nuvera_error_code_count())
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, C.GoString(C.nuvera_error_code_at(C.size_t(i))))
	}
	return out
}

// CodeFamily is the family of a code, or "" for a string that is not a code.
func CodeFamily(code string) string { return codeFamily(code) }

// closedError is OBJECT_CLOSED for a handle used after Close.
func closedError(what string) error {
	return &Error{Code: CodeObjectClosed, Family: codeFamily(CodeObjectClosed),
		Message: fmt.Sprintf("this %s was closed", what)}
}
