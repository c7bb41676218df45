package nuvera

// #include <stdint.h>
// #include <stddef.h>
import "C"

import (
	"context"
	"errors"
	"io"
	"runtime/cgo"
	"unsafe"
)

// readState is what the C library's read callback reaches through a cgo.Handle: the caller's
// reader, its context, and the first error met (reported instead of the library's IO_ERROR).
type readState struct {
	ctx context.Context
	r   io.Reader
	err error
}

//export nuveraGoRead
func nuveraGoRead(h C.uintptr_t, buf *C.uint8_t, capacity C.size_t) C.ptrdiff_t {
	s := cgo.Handle(h).Value().(*readState)
	if s.err != nil {
		return -1
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return -1
	}
	if capacity == 0 {
		return 0
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	for {
		n, err := s.r.Read(b)
		if n > 0 {
			if err != nil && !errors.Is(err, io.EOF) {
				// Keep the bytes now; the next call reports the failure.
				s.err = err
			}
			return C.ptrdiff_t(n)
		}
		if errors.Is(err, io.EOF) {
			return 0
		}
		if err != nil {
			s.err = err
			return -1
		}
		// n == 0 with no error: io.Reader allows it; ask again (respecting ctx).
		if err := s.ctx.Err(); err != nil {
			s.err = err
			return -1
		}
	}
}

// withReader runs call with a handle to r for the C read callback and returns the reader's own
// error (or ctx's) to report in place of the library's IO_ERROR.
func withReader(ctx context.Context, r io.Reader, call func(h C.uintptr_t)) error {
	if ctx == nil {
		ctx = context.Background()
	}
	s := &readState{ctx: ctx, r: r}
	h := cgo.NewHandle(s)
	defer h.Delete()
	call(C.uintptr_t(h))
	return s.err
}
