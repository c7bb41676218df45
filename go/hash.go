package nuvera

/*
#include <stdlib.h>
#include "nuvera_signing.h"

nuvera_status nuvera_go_body_hash_reader(uintptr_t h, char **out, uint64_t *size,
		nuvera_error **err);
nuvera_status nuvera_go_multipart_body_hash_reader(const char *content_type, uintptr_t h,
		char **out, nuvera_error **err);
*/
import "C"

import (
	"context"
	"io"
)

// stringCall runs a C call that returns a new string.
func stringCall(call func(out **C.char, cerr **C.nuvera_error) C.nuvera_status) (string, error) {
	var out *C.char
	var cerr *C.nuvera_error
	if err := check(call(&out, &cerr), cerr, nil); err != nil {
		return "", err
	}
	return takeString(out), nil
}

// BodyHash is the SHA-256 (lowercase hex) of a plain body: the bodyHash claim.
func BodyHash(body []byte) (string, error) {
	return stringCall(func(out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_body_hash(bytesArg(body), C.size_t(len(body)), out, cerr))
	})
}

// BodyHashReader is BodyHash of everything r yields, streamed; it also returns the byte count.
func BodyHashReader(ctx context.Context, r io.Reader) (string, int64, error) {
	var out *C.char
	var size C.uint64_t
	var cerr *C.nuvera_error
	var status C.nuvera_status
	cause := withReader(ctx, r, func(h C.uintptr_t) {
		status = st(C.nuvera_go_body_hash_reader(h, &out, &size, &cerr))
	})
	if err := check(status, cerr, cause); err != nil {
		return "", 0, err
	}
	return takeString(out), int64(size), nil
}

// BodyHashFile is BodyHash of the file at path, streamed; it also returns the file's size.
func BodyHashFile(path string) (string, int64, error) {
	cp := cstr(path)
	defer free(cp)
	var out *C.char
	var size C.uint64_t
	var cerr *C.nuvera_error
	if err := check(C.nuvera_body_hash_file(cp, &out, &size, &cerr), cerr, nil); err != nil {
		return "", 0, err
	}
	return takeString(out), int64(size), nil
}

// MultipartBodyHash is the bodyHash of an encoded multipart body sent with contentType
// ("multipart/form-data; boundary=…"), through its canonical object.
func MultipartBodyHash(contentType string, body []byte) (string, error) {
	cct := cstr(contentType)
	defer free(cct)
	return stringCall(func(out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_multipart_body_hash(cct, bytesArg(body), C.size_t(len(body)), out, cerr))
	})
}

// MultipartBodyHashReader is MultipartBodyHash of a body read from r (streamed).
func MultipartBodyHashReader(ctx context.Context, contentType string, r io.Reader) (string, error) {
	cct := cstr(contentType)
	defer free(cct)
	var out *C.char
	var cerr *C.nuvera_error
	var status C.nuvera_status
	cause := withReader(ctx, r, func(h C.uintptr_t) {
		status = st(C.nuvera_go_multipart_body_hash_reader(cct, h, &out, &cerr))
	})
	if err := check(status, cerr, cause); err != nil {
		return "", err
	}
	return takeString(out), nil
}

// MultipartCanonicalJSON is the canonical object (SIGNING.md §5, compact JSON) of an encoded
// multipart body.
func MultipartCanonicalJSON(contentType string, body []byte) (string, error) {
	cct := cstr(contentType)
	defer free(cct)
	return stringCall(func(out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_multipart_canonical_json(cct, bytesArg(body), C.size_t(len(body)), out, cerr))
	})
}

// RequestURI is the uri claim of a URL or request target (WHATWG pathname + search).
func RequestURI(url string) (string, error) {
	texts, err := textArgs(textArg{"url", &url})
	if err != nil {
		return "", err
	}
	return stringCall(func(out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_request_uri(texts[0], out, cerr))
	})
}

// SendableURL is the URL an HTTP client should send so the server receives exactly the signed
// target (normalized, fragment removed).
func SendableURL(url string) (string, error) {
	texts, err := textArgs(textArg{"url", &url})
	if err != nil {
		return "", err
	}
	return stringCall(func(out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_sendable_url(texts[0], out, cerr))
	})
}

// ReceivedBodyHash is the bodyHash a server computes from a received body: through the
// multipart canonical object for multipart/form-data, of the raw bytes otherwise (contentType
// "" for none).
func ReceivedBodyHash(contentType string, body []byte) (string, error) {
	cct := optional(contentType)
	defer free(cct)
	return stringCall(func(out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_received_body_hash(cct, bytesArg(body), C.size_t(len(body)), out, cerr))
	})
}

// IsMultipartFormData reports whether contentType is multipart/form-data (any case, parameters
// ignored): the bodies the core signs and hashes through their canonical object, not byte for
// byte. SignBody, ReceivedBodyHash and Transport already ask the core; this is for a client that
// chooses between SignMultipartWire and Sign itself.
func IsMultipartFormData(contentType string) bool {
	cct := cstr(contentType)
	defer free(cct)
	return bool(C.nuvera_is_multipart_form_data(cct))
}
