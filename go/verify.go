package nuvera

/*
#include <stdlib.h>
#include "nuvera_signing.h"
*/
import "C"

import "net/http"

// Verifier is the server side of SIGNING.md §6: a registry of applications, an in-memory replay
// cache and the system clock. Safe for concurrent use.
type Verifier struct {
	h *handle[*C.nuvera_verifier]
}

// NewVerifierFromRegistryFile reads a registry file (JSON, or TOML when the name ends in
// .toml).
func NewVerifierFromRegistryFile(path string) (*Verifier, error) {
	cp := cstr(path)
	defer free(cp)
	var out *C.nuvera_verifier
	var cerr *C.nuvera_error
	if err := check(C.nuvera_verifier_from_registry_file(cp, &out, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	return &Verifier{h: newHandle(out, "Verifier", func(p *C.nuvera_verifier) { C.nuvera_verifier_free(p) })}, nil
}

// Close frees the verifier now; later calls fail with OBJECT_CLOSED. Optional.
func (v *Verifier) Close() error {
	v.h.close()
	return nil
}

// Verify checks a received request: method and target as on the request line, the x-api-key and
// Authorization values ("" when absent) and the received body's hash (ReceivedBodyHash). It
// returns the application's name, or an *Error whose Code is AUTH_* and HTTPStatus the status
// to answer with.
func (v *Verifier) Verify(method, target, apiKey, authorization, bodyHash string) (string, error) {
	cm, ct, cb := cstr(method), cstr(target), cstr(bodyHash)
	defer free(cm)
	defer free(ct)
	defer free(cb)
	ca, cz := optional(apiKey), optional(authorization)
	defer free(ca)
	defer free(cz)
	var app string
	err := v.h.use(func(p *C.nuvera_verifier) error {
		var out *C.char
		var cerr *C.nuvera_error
		if err := check(C.nuvera_verifier_verify(p, cm, ct, ca, cz, cb, &out, &cerr), cerr, nil); err != nil {
			return err
		}
		app = takeString(out)
		return nil
	})
	return app, err
}

// VerifyRequest checks a received request from what arrived: its headers (x-api-key,
// Authorization and Content-Type are read) and its raw body, hashed as the server must. It
// returns the application's name or an *Error (AUTH_* with HTTPStatus, or MULTIPART_MALFORMED).
func (v *Verifier) VerifyRequest(method, target string, header http.Header, body []byte) (string, error) {
	cm, ct := cstr(method), cstr(target)
	defer free(cm)
	defer free(ct)
	hs := newCHeaders(header)
	defer hs.free()
	var app string
	err := v.h.use(func(p *C.nuvera_verifier) error {
		var out *C.char
		var cerr *C.nuvera_error
		if err := check(C.nuvera_verifier_verify_request(p, cm, ct, hs.ptr(), hs.count(), bytesArg(body), C.size_t(len(body)), &out, &cerr), cerr, nil); err != nil {
			return err
		}
		app = takeString(out)
		return nil
	})
	return app, err
}
