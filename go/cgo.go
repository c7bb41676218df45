// Package nuvera signs requests for the Nuvera partner API: the JWT, the body hash and the
// multipart canonical object of SIGNING.md, computed by the project's Rust core through its C ABI
// (cgo). Nothing is canonicalized or decided in Go: this package converts types and reports the
// core's errors as *Error values.
//
// By default the C library is linked statically from ../target/release/libnuvera_signing.a
// (build it with `cargo build --release -p nuvera-signing-c`), so `go build` gives one binary
// with no shared-library dependency. With the build tag nuvera_dynamic the package links the
// installed shared library found by pkg-config (`make -C bindings/c install`).
package nuvera

/*
#cgo CFLAGS: -I${SRCDIR}/../bindings/c/include
#cgo !nuvera_dynamic LDFLAGS: ${SRCDIR}/../target/release/libnuvera_signing.a -lpthread -ldl -lm
#cgo nuvera_dynamic pkg-config: nuvera_signing
#include <stdlib.h>
#include "nuvera_signing.h"

// Defined in Go (reader_export.go): reads the next bytes of the io.Reader behind handle h.
extern ptrdiff_t nuveraGoRead(uintptr_t h, uint8_t *buf, size_t cap);

// The C library's read callback. The context pointer carries a cgo.Handle (an integer), cast
// here in C so Go never turns an integer into an unsafe.Pointer.
static ptrdiff_t nuvera_go_read(void *ctx, uint8_t *buf, size_t cap) {
	return nuveraGoRead((uintptr_t)ctx, buf, cap);
}

nuvera_status nuvera_go_body_hash_reader(uintptr_t h, char **out, uint64_t *size,
		nuvera_error **err) {
	return nuvera_body_hash_reader(nuvera_go_read, (void *)h, out, size, err);
}

nuvera_status nuvera_go_multipart_body_hash_reader(const char *content_type, uintptr_t h,
		char **out, nuvera_error **err) {
	return nuvera_multipart_body_hash_reader(content_type, nuvera_go_read, (void *)h, out, err);
}

nuvera_status nuvera_go_sign_reader(const nuvera_signer *s, const char *method,
		const char *url, uintptr_t h, const uint64_t *iat, const char *jti,
		nuvera_signed_request **out, nuvera_error **err) {
	return nuvera_signer_sign_reader(s, method, url, nuvera_go_read, (void *)h, iat, jti, out, err);
}

nuvera_status nuvera_go_sign_multipart_reader(const nuvera_signer *s, const char *method,
		const char *url, const char *content_type, uintptr_t h, const uint64_t *iat,
		const char *jti, nuvera_signed_request **out, nuvera_error **err) {
	return nuvera_signer_sign_multipart_reader(s, method, url, content_type, nuvera_go_read,
		(void *)h, iat, jti, out, err);
}

nuvera_status nuvera_go_sign_body_reader(const nuvera_signer *s, const char *method,
		const char *url, const char *content_type, uintptr_t h, const uint64_t *iat,
		const char *jti, nuvera_signed_request **out, nuvera_error **err) {
	return nuvera_signer_sign_body_reader(s, method, url, content_type, nuvera_go_read,
		(void *)h, iat, jti, out, err);
}

nuvera_status nuvera_go_form_add_file_reader(nuvera_multipart_form *form, const char *field,
		const char *file_name, uintptr_t h, const char *mime_type, nuvera_error **err) {
	return nuvera_multipart_form_add_file_reader(form, field, file_name, nuvera_go_read, (void *)h,
		mime_type, err);
}
*/
import "C"

import (
	"strings"
	"unsafe"
)

// cstr is a C copy of s; the caller frees it with free.
func cstr(s string) *C.char { return C.CString(s) }

// textArg is one text argument of a C call: its name (for an error) and its value (nil for
// NULL).
type textArg struct {
	name  string
	value *string
}

// textArgs makes the NUL-terminated C text of each argument, for one C call that does not keep
// them (cgo lets C read Go memory that holds no Go pointers during a call): copies in one Go
// buffer, which the views keep alive, instead of a C.malloc and a C.free per text, each a
// cgo call of its own. A text holding a NUL byte is INVALID_ARGUMENT: C would read it only up
// to the NUL, and sign or hash a different text than the caller gave.
func textArgs(args ...textArg) ([]*C.char, error) {
	if err := refuseNUL(args...); err != nil {
		return nil, err
	}
	size := 0
	for _, a := range args {
		if a.value != nil {
			size += len(*a.value) + 1
		}
	}
	buf := make([]byte, size)
	views := make([]*C.char, len(args))
	at := 0
	for i, a := range args {
		if a.value == nil {
			continue
		}
		views[i] = (*C.char)(unsafe.Pointer(&buf[at]))
		at += copy(buf[at:], *a.value) + 1 // buf[at-1] stays 0: the NUL
	}
	return views, nil
}

// refuseNUL is INVALID_ARGUMENT for the first text that holds a NUL byte: C would read it only
// up to the NUL (a verifier would check `/api/v1/a` for a target `/api/v1/a\x00/../b`).
func refuseNUL(args ...textArg) error {
	for _, a := range args {
		if a.value != nil && strings.IndexByte(*a.value, 0) >= 0 {
			return &Error{Code: CodeInvalidArgument, Family: codeFamily(CodeInvalidArgument),
				Message: a.name + " holds a NUL byte, which a C string cannot carry"}
		}
	}
	return nil
}

// optCstr is NULL for an absent value.
func optCstr(s *string) *C.char {
	if s == nil {
		return nil
	}
	return C.CString(*s)
}

func free(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

// bytesArg is a pointer to the first byte of b (Go memory without pointers, which cgo lets C
// read during the call), or NULL for an empty slice.
func bytesArg(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0]))
}

// takeString copies and frees a string the library allocated.
func takeString(p *C.char) string {
	if p == nil {
		return ""
	}
	s := C.GoString(p)
	C.nuvera_string_free(p)
	return s
}

// check turns a status into nil or an *Error (freeing the C error). cause, when not nil, is
// the Go error behind it (a reader's), kept for errors.Is/As.
func check[S ~uint32](status S, cerr *C.nuvera_error, cause error) error {
	if uint32(status) == uint32(C.NUVERA_OK) {
		return nil
	}
	if cerr == nil {
		return &Error{Code: CodeInternalError, Family: "internal", Message: "the library failed without an error object", cause: cause}
	}
	defer C.nuvera_error_free(cerr)
	code := C.GoString(cerr.code)
	return &Error{
		Code:       code,
		Family:     codeFamily(code),
		HTTPStatus: int(cerr.http_status),
		Message:    C.GoString(cerr.message),
		cause:      cause,
	}
}

func codeFamily(code string) string {
	c := cstr(code)
	defer free(c)
	f := C.nuvera_error_code_family(c)
	if f == nil {
		return ""
	}
	return C.GoString(f)
}

// Version is the C library's version, e.g. "0.1.0".
func Version() string { return C.GoString(C.nuvera_version()) }

// unsafeBytes views n bytes of C memory.
func unsafeBytes(p *C.char, n int) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(p)), n) }

// unsafeSlice views n elements of C memory.
func unsafeSlice[T any](p *T, n int) []T { return unsafe.Slice(p, n) }

// unsafePtr is p as an unsafe.Pointer, for C.free.
func unsafePtr[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }

// st gives every C call's status one Go type (cgo types a call's result as uint32 when it
// checks pointer arguments, and as C.nuvera_status otherwise).
func st[S ~uint32](s S) C.nuvera_status { return C.nuvera_status(s) }
