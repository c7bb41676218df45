package nuvera

/*
#include <stdlib.h>
#include "nuvera_signing.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
)

// handle guards a C handle (P is its pointer type): calls hold the read lock, Close takes the
// write lock, so a handle is never freed while a call uses it, and a use after Close is
// OBJECT_CLOSED, not a crash.
type handle[P any] struct {
	mu   sync.RWMutex
	ptr  P
	live bool
	what string
	free func(P)
}

func newHandle[P any](ptr P, what string, free func(P)) *handle[P] {
	h := &handle[P]{ptr: ptr, live: true, what: what, free: free}
	// A forgotten Close leaks nothing: the collector frees the C object.
	runtime.SetFinalizer(h, func(h *handle[P]) { h.close() })
	return h
}

// use runs f with the live pointer, or fails with OBJECT_CLOSED.
func (h *handle[P]) use(f func(P) error) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if !h.live {
		return closedError(h.what)
	}
	err := f(h.ptr)
	runtime.KeepAlive(h)
	return err
}

// useExclusive is use for calls the C library needs exclusive access for (non-const handles).
func (h *handle[P]) useExclusive(f func(P) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.live {
		return closedError(h.what)
	}
	err := f(h.ptr)
	runtime.KeepAlive(h)
	return err
}

func (h *handle[P]) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.live {
		h.free(h.ptr)
		h.live = false
	}
}

// PrivateKey is a parsed RSA private key. Parse it once and share it; it is safe for concurrent
// use. Its String and GoString never show key material.
type PrivateKey struct {
	h *handle[*C.nuvera_private_key]
}

func newPrivateKey(p *C.nuvera_private_key) *PrivateKey {
	return &PrivateKey{h: newHandle(p, "PrivateKey", func(p *C.nuvera_private_key) { C.nuvera_private_key_free(p) })}
}

// ParsePrivateKey parses a PEM private key: PKCS#8, PKCS#1 or encrypted PKCS#8 (then give the
// passphrase; nil otherwise). Literal `\n` line breaks are accepted.
func ParsePrivateKey(pem []byte, passphrase []byte) (*PrivateKey, error) {
	cpem := C.CString(string(pem))
	defer func() { zeroFree(cpem, len(pem)) }()
	var cpass *C.char
	if passphrase != nil {
		cpass = C.CString(string(passphrase))
		defer func() { zeroFree(cpass, len(passphrase)) }()
	}
	var out *C.nuvera_private_key
	var cerr *C.nuvera_error
	if err := check(C.nuvera_private_key_from_pem(cpem, cpass, &out, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	return newPrivateKey(out), nil
}

// LoadPrivateKey reads and parses a PEM private key file (passphrase as in ParsePrivateKey).
func LoadPrivateKey(path string, passphrase []byte) (*PrivateKey, error) {
	cpath := cstr(path)
	defer free(cpath)
	var cpass *C.char
	if passphrase != nil {
		cpass = C.CString(string(passphrase))
		defer func() { zeroFree(cpass, len(passphrase)) }()
	}
	var out *C.nuvera_private_key
	var cerr *C.nuvera_error
	if err := check(C.nuvera_private_key_from_file(cpath, cpass, &out, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	return newPrivateKey(out), nil
}

// zeroFree wipes a C copy of a secret before freeing it.
func zeroFree(p *C.char, n int) {
	if p == nil {
		return
	}
	b := unsafeBytes(p, n)
	for i := range b {
		b[i] = 0
	}
	free(p)
}

// PublicKeyPEM is the public half as SPKI PEM: what a partner registers with Nuvera.
func (k *PrivateKey) PublicKeyPEM() (string, error) { return publicKeyPEM(k.h) }

// Fingerprint is the public key's fingerprint, as proofs and support bundles show it.
func (k *PrivateKey) Fingerprint() (string, error) { return fingerprint(k.h) }

// Bits is the modulus size in bits.
func (k *PrivateKey) Bits() (int, error) { return bits(k.h) }

// publicKeyPEM, fingerprint and bits read a key of either kind (the C library has one key type).
func publicKeyPEM(h *handle[*C.nuvera_private_key]) (string, error) {
	var s string
	err := h.use(func(p *C.nuvera_private_key) error {
		var out *C.char
		var cerr *C.nuvera_error
		if err := check(C.nuvera_private_key_public_pem(p, &out, &cerr), cerr, nil); err != nil {
			return err
		}
		s = takeString(out)
		return nil
	})
	return s, err
}

func fingerprint(h *handle[*C.nuvera_private_key]) (string, error) {
	var s string
	err := h.use(func(p *C.nuvera_private_key) error {
		var out *C.char
		var cerr *C.nuvera_error
		if err := check(C.nuvera_private_key_fingerprint(p, &out, &cerr), cerr, nil); err != nil {
			return err
		}
		s = takeString(out)
		return nil
	})
	return s, err
}

func bits(h *handle[*C.nuvera_private_key]) (int, error) {
	var n C.size_t
	err := h.use(func(p *C.nuvera_private_key) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_private_key_bits(p, &n, &cerr), cerr, nil)
	})
	return int(n), err
}

// Close frees the key now (signers made from it keep their own reference). Later calls fail
// with OBJECT_CLOSED. Calling Close is optional: the garbage collector frees it otherwise.
func (k *PrivateKey) Close() error {
	k.h.close()
	return nil
}

// String shows the key's size and fingerprint, never its material.
func (k *PrivateKey) String() string {
	bits, err := k.Bits()
	if err != nil {
		return "nuvera.PrivateKey(closed)"
	}
	fp, _ := k.Fingerprint()
	return fmt.Sprintf("nuvera.PrivateKey(RSA-%d, %s)", bits, fp)
}

// GoString is String, so %#v shows no key material either.
func (k *PrivateKey) GoString() string { return k.String() }

// PublicKeyFingerprint is the fingerprint of a public key given as PEM (SPKI or PKCS#1).
func PublicKeyFingerprint(pem string) (string, error) {
	cpem := cstr(pem)
	defer free(cpem)
	var out *C.char
	var cerr *C.nuvera_error
	if err := check(C.nuvera_public_key_fingerprint(cpem, &out, &cerr), cerr, nil); err != nil {
		return "", err
	}
	return takeString(out), nil
}
