package nuvera

/*
#include <stdlib.h>
#include "nuvera_signing.h"

// Defined in Go (remote_export.go): the caller's SignFunc behind handle h, and its release.
extern int32_t nuveraGoSign(uintptr_t h, uint8_t *input, size_t input_len, uint8_t *signature,
		size_t *signature_len, char *message);
extern void nuveraGoSignFree(uintptr_t h);

// The C library's sign callback and destructor. The user-data pointer carries a cgo.Handle (an
// integer), cast here in C so Go never turns an integer into an unsafe.Pointer.
static int32_t nuvera_go_sign(void *user_data, const uint8_t *input, size_t input_len,
		uint8_t *signature, size_t *signature_len, char *message) {
	return nuveraGoSign((uintptr_t)user_data, (uint8_t *)input, input_len, signature,
		signature_len, message);
}

static void nuvera_go_sign_free(void *user_data) { nuveraGoSignFree((uintptr_t)user_data); }

nuvera_status nuvera_go_remote_key_from_callback(const char *public_key_pem, uint32_t input,
		const int64_t *timeout_ms, uintptr_t h, nuvera_private_key **out, nuvera_error **err) {
	return nuvera_remote_key_from_callback(public_key_pem, input, timeout_ms, nuvera_go_sign,
		(void *)h, nuvera_go_sign_free, out, err);
}
*/
import "C"

import (
	"context"
	"fmt"
	"runtime/cgo"
	"time"
)

// Key is what NewSigner signs with: a *PrivateKey (in this process) or a *RemoteKey (in an HSM
// or a cloud KMS). The tokens are the same for the same key wherever it is held.
type Key interface {
	// PublicKeyPEM is the public half as SPKI PEM: what a partner registers with Nuvera.
	PublicKeyPEM() (string, error)
	// Fingerprint is the public key's fingerprint, as proofs and support bundles show it.
	Fingerprint() (string, error)
	// Bits is the modulus size in bits.
	Bits() (int, error)
	// keyHandle is the C key; unexported, so only this package's key types are Keys.
	keyHandle() *handle[*C.nuvera_private_key]
}

func (k *PrivateKey) keyHandle() *handle[*C.nuvera_private_key] { return k.h }

// SignatureInput is what a callback key's SignFunc is given to sign.
type SignatureInput uint32

const (
	// SignDigest: the 32-byte SHA-256 digest of the JWS signing input (AWS KMS
	// MessageType=DIGEST, Google Cloud KMS digest.sha256, Azure Key Vault RS256). The default.
	SignDigest SignatureInput = C.NUVERA_SIGNATURE_INPUT_DIGEST
	// SignMessage: the JWS signing input itself; the provider hashes it.
	SignMessage SignatureInput = C.NUVERA_SIGNATURE_INPUT_MESSAGE
)

// String is "digest" or "message".
func (i SignatureInput) String() string {
	switch i {
	case SignDigest:
		return "digest"
	case SignMessage:
		return "message"
	}
	return fmt.Sprintf("SignatureInput(%d)", uint32(i))
}

// SignFunc signs input (the digest or the signing input, see SignatureInput) with the remote key
// and returns the raw RSASSA-PKCS1-v1_5 signature (for RSA-2048, 256 bytes: not base64, not
// DER-wrapped). An error fails the signature with REMOTE_SIGNER_FAILED and its text in the
// message, so it must not contain a credential.
//
// ctx ends when the library stops waiting for the call (the callback timeout): pass it to the
// KMS client so a stuck call is abandoned rather than left running. It is not the context of the
// Sign or Transport call that led to the signature. SignFunc may be called from several
// goroutines at once.
type SignFunc func(ctx context.Context, input []byte) ([]byte, error)

type remoteKeyConfig struct {
	input   SignatureInput
	timeout *time.Duration
}

// RemoteKeyOption configures RemoteKeyFromCallback.
type RemoteKeyOption func(*remoteKeyConfig)

// WithSignatureInput says what the SignFunc is given (default SignDigest).
func WithSignatureInput(input SignatureInput) RemoteKeyOption {
	return func(c *remoteKeyConfig) { c.input = input }
}

// WithCallbackTimeout bounds one call of the SignFunc (default 10 s, the core's): a call still
// running then fails the signature with REMOTE_SIGNER_FAILED, and the SignFunc's ctx is done.
// 0 means no bound (the SignFunc runs on the signing thread); negative is INVALID_ARGUMENT.
// The bound is kept in whole milliseconds.
func WithCallbackTimeout(d time.Duration) RemoteKeyOption {
	return func(c *remoteKeyConfig) { c.timeout = &d }
}

// RemoteKey is a signing key held elsewhere (SIGNING.md §9): in a PKCS#11 token, or behind a
// SignFunc that calls a cloud KMS. Use it wherever a *PrivateKey goes (NewSigner). Every
// signature it returns is checked against the public key before it goes into a token, so a
// provider holding another key fails with REMOTE_KEY_MISMATCH and never yields a wrong token;
// a provider that fails is REMOTE_SIGNER_FAILED with its message. Safe for concurrent use.
type RemoteKey struct {
	h *handle[*C.nuvera_private_key]
}

func (k *RemoteKey) keyHandle() *handle[*C.nuvera_private_key] { return k.h }

// signCallback is what the C library's sign callback reaches through a cgo.Handle.
type signCallback struct {
	fn SignFunc
	// timeout is the bound the core applies, for the SignFunc's ctx; 0 for none.
	timeout time.Duration
}

// RemoteKeyFromCallback makes a key whose signatures come from fn. publicKeyPEM is the key's
// public half (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY" PEM, e.g. from AWS KMS GetPublicKey).
func RemoteKeyFromCallback(fn SignFunc, publicKeyPEM string, opts ...RemoteKeyOption) (*RemoteKey, error) {
	cfg := remoteKeyConfig{input: SignDigest}
	for _, o := range opts {
		o(&cfg)
	}
	if fn == nil {
		return nil, &Error{Code: CodeInvalidArgument, Family: codeFamily(CodeInvalidArgument), Message: "the SignFunc is nil"}
	}
	cb := &signCallback{fn: fn, timeout: time.Duration(C.NUVERA_DEFAULT_CALLBACK_TIMEOUT_MS) * time.Millisecond}
	var ctimeout *C.int64_t
	if cfg.timeout != nil {
		ms := C.int64_t(cfg.timeout.Milliseconds())
		if *cfg.timeout > 0 && ms == 0 {
			ms = 1 // under a millisecond is not "no bound"
		}
		ctimeout = &ms
		cb.timeout = time.Duration(ms) * time.Millisecond
	}
	cpem := cstr(publicKeyPEM)
	defer free(cpem)
	// The C key owns the handle from here on and deletes it through nuveraGoSignFree when the
	// last signer using it is freed, or at once when this call fails.
	h := cgo.NewHandle(cb)
	var out *C.nuvera_private_key
	var cerr *C.nuvera_error
	if err := check(C.nuvera_go_remote_key_from_callback(cpem, C.uint32_t(cfg.input), ctimeout, C.uintptr_t(h), &out, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	return newRemoteKey(out), nil
}

// PKCS11Config says where a PKCS#11 key is. Give exactly one of TokenLabel and Slot, one of
// KeyLabel and KeyIDHex, and one of PINEnv and PINFile; anything else is INVALID_ARGUMENT.
// The PIN is never a field: it would sit in the program's source or flags.
type PKCS11Config struct {
	// Module is the PKCS#11 library's path, e.g. "/usr/lib/softhsm/libsofthsm2.so".
	Module string
	// TokenLabel finds the token by its label (preferred: slot numbers change).
	TokenLabel string
	// Slot finds the token by its slot id, as the module numbers it.
	Slot *uint64
	// KeyLabel finds the RSA private key by CKA_LABEL.
	KeyLabel string
	// KeyIDHex finds it by CKA_ID written as hex, e.g. "01".
	KeyIDHex string
	// PINEnv names the environment variable holding the user PIN.
	PINEnv string
	// PINFile is a file holding the user PIN (one trailing line break is not part of it).
	PINFile string
}

// RemoteKeyFromPKCS11 opens a key in a PKCS#11 token (an HSM; SoftHSM2): loads the module (once
// per process; it is never finalised), finds the token and the key, logs in and reads the public
// key from the token. The token hashes and signs (CKM_SHA256_RSA_PKCS); sessions are pooled, so
// signers sign from several goroutines at once. A module, token, key or PIN the module refuses
// is REMOTE_SIGNER_FAILED with its CKR_… answer; no message shows the PIN.
func RemoteKeyFromPKCS11(cfg PKCS11Config) (*RemoteKey, error) {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	cmodule := cstr(cfg.Module)
	defer free(cmodule)
	ctoken, ckey, cid := optCstr(opt(cfg.TokenLabel)), optCstr(opt(cfg.KeyLabel)), optCstr(opt(cfg.KeyIDHex))
	defer free(ctoken)
	defer free(ckey)
	defer free(cid)
	cenv, cfile := optCstr(opt(cfg.PINEnv)), optCstr(opt(cfg.PINFile))
	defer free(cenv)
	defer free(cfile)
	var cslot *C.uint64_t
	if cfg.Slot != nil {
		v := C.uint64_t(*cfg.Slot)
		cslot = &v
	}
	var out *C.nuvera_private_key
	var cerr *C.nuvera_error
	if err := check(C.nuvera_remote_key_from_pkcs11(cmodule, ctoken, cslot, ckey, cid, cenv, cfile, &out, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	return newRemoteKey(out), nil
}

func newRemoteKey(p *C.nuvera_private_key) *RemoteKey {
	return &RemoteKey{h: newHandle(p, "RemoteKey", func(p *C.nuvera_private_key) { C.nuvera_private_key_free(p) })}
}

// PublicKeyPEM is the public half as SPKI PEM: what a partner registers with Nuvera.
func (k *RemoteKey) PublicKeyPEM() (string, error) { return publicKeyPEM(k.h) }

// Fingerprint is the public key's fingerprint, as proofs and support bundles show it.
func (k *RemoteKey) Fingerprint() (string, error) { return fingerprint(k.h) }

// Bits is the modulus size in bits.
func (k *RemoteKey) Bits() (int, error) { return bits(k.h) }

// Close releases the key now (signers made from it keep their own reference; a callback key's
// SignFunc is released with the last of them). Later calls fail with OBJECT_CLOSED. Optional: the
// garbage collector frees it otherwise.
func (k *RemoteKey) Close() error {
	k.h.close()
	return nil
}

// String shows the key's size and fingerprint.
func (k *RemoteKey) String() string {
	n, err := k.Bits()
	if err != nil {
		return "nuvera.RemoteKey(closed)"
	}
	fp, _ := k.Fingerprint()
	return fmt.Sprintf("nuvera.RemoteKey(RSA-%d, %s)", n, fp)
}

// GoString is String.
func (k *RemoteKey) GoString() string { return k.String() }

// Check makes sure, before a first request, that the key signs under its public key: it signs a
// probe and verifies it. REMOTE_KEY_MISMATCH: the provider holds another key (or hashed the
// digest again); REMOTE_SIGNER_FAILED: it cannot sign (its message says why). Signing checks
// every signature anyway; call Check at start-up to fail then rather than on a request.
func (k *RemoteKey) Check() error {
	return k.h.use(func(p *C.nuvera_private_key) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_private_key_check(p, &cerr), cerr, nil)
	})
}
