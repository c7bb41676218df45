package nuvera

/*
#include <stdlib.h>
#include "nuvera_signing.h"
*/
import "C"

import (
	"math"
	"net/http"
	"time"
)

// Verifier is the server side of SIGNING.md §6: a registry of applications, a replay cache (in
// memory, or shared: WithReplayCache) and the system clock. Safe for concurrent use.
type Verifier struct {
	h *handle[*C.nuvera_verifier]
}

// ReplayCache names a replay cache shared by several server instances (SIGNING.md §9): a Redis
// store. Zero fields take the core's defaults.
type ReplayCache struct {
	// URL of the store, redis:// or rediss:// (credentials and database number in the URL; the
	// password never shows in an error). Required.
	URL string
	// KeyPrefix is prepended to every key; "" means the default, "nuvera:jti:".
	KeyPrefix string
	// Timeout is the time the store has to answer one request, whole milliseconds from 1 ms to
	// 10 s; 0 means the default, 50 ms.
	Timeout time.Duration
	// MaxConnections bounds the connections opened (1 to 1024); 0 means the default, 16.
	MaxConnections int
}

type verifierConfig struct {
	replayCache *ReplayCache
}

// VerifierOption configures NewVerifierFromRegistryFile.
type VerifierOption func(*verifierConfig)

// WithReplayCache makes the verifier record jtis in a shared store: a token replayed to any
// instance sharing it is AUTH_REPLAYED_JTI, and while the store does not answer every request is
// refused with AUTH_REPLAY_CACHE_UNAVAILABLE (HTTP 503). Invalid options are INVALID_ARGUMENT;
// nothing connects until the first request.
func WithReplayCache(rc ReplayCache) VerifierOption {
	return func(c *verifierConfig) { c.replayCache = &rc }
}

// NewVerifierFromRegistryFile reads a registry file (JSON, or TOML when the name ends in
// .toml).
func NewVerifierFromRegistryFile(path string, opts ...VerifierOption) (*Verifier, error) {
	var cfg verifierConfig
	for _, o := range opts {
		o(&cfg)
	}
	cp := cstr(path)
	defer free(cp)
	var out *C.nuvera_verifier
	var cerr *C.nuvera_error
	if err := check(C.nuvera_verifier_from_registry_file(cp, &out, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	if rc := cfg.replayCache; rc != nil {
		if err := setReplayCache(out, rc); err != nil {
			C.nuvera_verifier_free(out)
			return nil, err
		}
	}
	return &Verifier{h: newHandle(out, "Verifier", func(p *C.nuvera_verifier) { C.nuvera_verifier_free(p) })}, nil
}

// setReplayCache hands the options to the core, which checks them and supplies the defaults.
func setReplayCache(v *C.nuvera_verifier, rc *ReplayCache) error {
	curl := cstr(rc.URL)
	defer zeroFree(curl, len(rc.URL)) // the URL may hold the store's password
	var prefix *C.char
	if rc.KeyPrefix != "" {
		prefix = cstr(rc.KeyPrefix)
		defer free(prefix)
	}
	// A value C cannot carry is passed as one the core refuses, so the core decides the error.
	timeout := uint64(math.MaxUint32)
	if ms := rc.Timeout / time.Millisecond; rc.Timeout >= 0 && rc.Timeout%time.Millisecond == 0 && ms <= math.MaxUint32 {
		timeout = uint64(ms)
	}
	connections := uint64(math.MaxUint32)
	if rc.MaxConnections >= 0 && uint64(rc.MaxConnections) <= math.MaxUint32 {
		connections = uint64(rc.MaxConnections)
	}
	var cerr *C.nuvera_error
	return check(C.nuvera_verifier_set_replay_cache(v, curl, prefix, C.uint32_t(timeout), C.uint32_t(connections), &cerr), cerr, nil)
}

// Close frees the verifier now; later calls fail with OBJECT_CLOSED. Optional.
func (v *Verifier) Close() error {
	v.h.close()
	return nil
}

// Verify checks a received request: method and target as on the request line, the x-api-key and
// Authorization values ("" when absent) and the received body's hash (ReceivedBodyHash). It
// returns the application's name, or an *Error whose Code is AUTH_* and HTTPStatus the status
// to answer with (INVALID_ARGUMENT for a text holding a NUL byte, which C cannot carry).
func (v *Verifier) Verify(method, target, apiKey, authorization, bodyHash string) (string, error) {
	if err := refuseNUL(textArg{"method", &method}, textArg{"target", &target},
		textArg{"x-api-key", &apiKey}, textArg{"Authorization", &authorization},
		textArg{"body hash", &bodyHash}); err != nil {
		return "", err
	}
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
// returns the application's name or an *Error (AUTH_* with HTTPStatus; a body unreadable as its Content-Type is AUTH_BODY_HASH_MISMATCH).
func (v *Verifier) VerifyRequest(method, target string, header http.Header, body []byte) (string, error) {
	texts := []textArg{{"method", &method}, {"target", &target}}
	for name, values := range header {
		for i := range values {
			texts = append(texts, textArg{"header " + name, &values[i]})
		}
	}
	if err := refuseNUL(texts...); err != nil {
		return "", err
	}
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
