package nuvera

/*
#include <stdlib.h>
#include "nuvera_signing.h"

nuvera_status nuvera_go_form_add_file_reader(nuvera_multipart_form *form, const char *field,
		const char *file_name, uintptr_t h, const char *mime_type, nuvera_error **err);
*/
import "C"

import (
	"context"
	"io"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// MultipartForm is a multipart/form-data body described by fields and files. It can encode
// itself (Encode, EncodeToFile) and give its canonical object and bodyHash (SIGNING.md §5).
// Methods lock it: it is safe for concurrent use, one call at a time.
type MultipartForm struct {
	h *handle[*C.nuvera_multipart_form]
	// readers are the cgo handles of AddFileReader parts, released with the form.
	readers *formReaders
}

type formReaders struct {
	mu      sync.Mutex
	handles []cgo.Handle
}

func (r *formReaders) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.handles {
		h.Delete()
	}
	r.handles = nil
}

func newForm(p *C.nuvera_multipart_form) *MultipartForm {
	readers := &formReaders{}
	return &MultipartForm{readers: readers, h: newHandle(p, "MultipartForm", func(p *C.nuvera_multipart_form) {
		C.nuvera_multipart_form_free(p)
		readers.release()
	})}
}

// NewMultipartForm is an empty form with a fresh random boundary.
func NewMultipartForm() (*MultipartForm, error) {
	var out *C.nuvera_multipart_form
	var cerr *C.nuvera_error
	if err := check(C.nuvera_multipart_form_new(&out, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	return newForm(out), nil
}

// NewMultipartFormWithBoundary is an empty form with a chosen boundary (1 to 70 RFC 2046
// characters), for reproducible bodies.
func NewMultipartFormWithBoundary(boundary string) (*MultipartForm, error) {
	cb := cstr(boundary)
	defer free(cb)
	var out *C.nuvera_multipart_form
	var cerr *C.nuvera_error
	if err := check(C.nuvera_multipart_form_new_with_boundary(cb, &out, &cerr), cerr, nil); err != nil {
		return nil, err
	}
	return newForm(out), nil
}

// Close frees the form now; later calls fail with OBJECT_CLOSED. Optional.
func (f *MultipartForm) Close() error {
	f.h.close()
	return nil
}

// AddField adds a text field; repeated names are kept as separate fields.
func (f *MultipartForm) AddField(name, value string) error {
	cn, cv := cstr(name), cstr(value)
	defer free(cn)
	defer free(cv)
	return f.h.useExclusive(func(p *C.nuvera_multipart_form) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_multipart_form_add_field(p, cn, cv, &cerr), cerr, nil)
	})
}

// AddFilePath adds a file by path, read (streamed) whenever the form is hashed or encoded; a
// missing file is reported then, as IO_ERROR. fileName "" takes the path's last component;
// mimeType "" is application/octet-stream.
func (f *MultipartForm) AddFilePath(field, path, fileName, mimeType string) error {
	cf, cp := cstr(field), cstr(path)
	defer free(cf)
	defer free(cp)
	cn, cm := optional(fileName), optional(mimeType)
	defer free(cn)
	defer free(cm)
	return f.h.useExclusive(func(p *C.nuvera_multipart_form) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_multipart_form_add_file_path(p, cf, cp, cn, cm, &cerr), cerr, nil)
	})
}

// AddFileBytes adds a file from memory (copied). mimeType "" is application/octet-stream.
func (f *MultipartForm) AddFileBytes(field, fileName string, data []byte, mimeType string) error {
	cf, cn := cstr(field), cstr(fileName)
	defer free(cf)
	defer free(cn)
	cm := optional(mimeType)
	defer free(cm)
	return f.h.useExclusive(func(p *C.nuvera_multipart_form) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_multipart_form_add_file_bytes(p, cf, cn, bytesArg(data), C.size_t(len(data)), cm, &cerr), cerr, nil)
	})
}

// AddFileReader adds a file whose bytes r yields, streamed when the form is hashed or encoded.
// A reader can be read once: encode the form (Encode or EncodeToFile, which also hash it) and
// sign it after, or hash it once. mimeType "" is application/octet-stream. r may be read from
// another thread than the caller's.
func (f *MultipartForm) AddFileReader(field, fileName string, r io.Reader, mimeType string) error {
	cf, cn := cstr(field), cstr(fileName)
	defer free(cf)
	defer free(cn)
	cm := optional(mimeType)
	defer free(cm)
	h := cgo.NewHandle(&readState{ctx: context.Background(), r: r})
	err := f.h.useExclusive(func(p *C.nuvera_multipart_form) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_go_form_add_file_reader(p, cf, cn, C.uintptr_t(h), cm, &cerr), cerr, nil)
	})
	if err != nil {
		h.Delete()
		return err
	}
	f.readers.mu.Lock()
	f.readers.handles = append(f.readers.handles, h)
	f.readers.mu.Unlock()
	return nil
}

// ContentType is "multipart/form-data; boundary=…", to send with the encoded body.
func (f *MultipartForm) ContentType() (string, error) {
	var s string
	err := f.h.use(func(p *C.nuvera_multipart_form) error {
		var out *C.char
		var cerr *C.nuvera_error
		if err := check(C.nuvera_multipart_form_content_type(p, &out, &cerr), cerr, nil); err != nil {
			return err
		}
		s = takeString(out)
		return nil
	})
	return s, err
}

// Encode encodes the whole body in memory (use EncodeToFile for large files).
func (f *MultipartForm) Encode() ([]byte, error) {
	var body []byte
	err := f.h.useExclusive(func(p *C.nuvera_multipart_form) error {
		var out *C.uint8_t
		var n C.size_t
		var cerr *C.nuvera_error
		if err := check(C.nuvera_multipart_form_encode(p, &out, &n, &cerr), cerr, nil); err != nil {
			return err
		}
		body = C.GoBytes(unsafe.Pointer(out), C.int(n))
		C.nuvera_bytes_free(out, n)
		return nil
	})
	return body, err
}

// EncodeToFile encodes the body into the file at path (created or truncated), streaming file
// parts.
func (f *MultipartForm) EncodeToFile(path string) error {
	cp := cstr(path)
	defer free(cp)
	return f.h.useExclusive(func(p *C.nuvera_multipart_form) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_multipart_form_encode_to_file(p, cp, &cerr), cerr, nil)
	})
}

// BodyHash is the form's bodyHash: of the last encoding if the form was encoded and not changed
// since, else computed now.
func (f *MultipartForm) BodyHash() (string, error) {
	return f.text(func(p *C.nuvera_multipart_form, out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_multipart_form_body_hash(p, out, cerr))
	})
}

// CanonicalJSON is the form's canonical object (SIGNING.md §5) as compact JSON.
func (f *MultipartForm) CanonicalJSON() (string, error) {
	return f.text(func(p *C.nuvera_multipart_form, out **C.char, cerr **C.nuvera_error) C.nuvera_status {
		return st(C.nuvera_multipart_form_canonical_json(p, out, cerr))
	})
}

func (f *MultipartForm) text(call func(*C.nuvera_multipart_form, **C.char, **C.nuvera_error) C.nuvera_status) (string, error) {
	var s string
	err := f.h.useExclusive(func(p *C.nuvera_multipart_form) error {
		var out *C.char
		var cerr *C.nuvera_error
		if err := check(call(p, &out, &cerr), cerr, nil); err != nil {
			return err
		}
		s = takeString(out)
		return nil
	})
	return s, err
}

// optional is NULL for "".
func optional(s string) *C.char {
	if s == "" {
		return nil
	}
	return cstr(s)
}
