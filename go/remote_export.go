package nuvera

// #include <stdint.h>
// #include <stddef.h>
// #include "nuvera_signing.h"
import "C"

import (
	"context"
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// nuveraGoSign is the C library's sign callback for a key made by RemoteKeyFromCallback: the core
// calls it (on a helper thread when a timeout is set) and checks what it returns.
//
//export nuveraGoSign
func nuveraGoSign(h C.uintptr_t, input *C.uint8_t, inputLen C.size_t, signature *C.uint8_t,
	signatureLen *C.size_t, message *C.char) C.int32_t {
	cb := cgo.Handle(h).Value().(*signCallback)
	in := C.GoBytes(unsafe.Pointer(input), C.int(inputLen))
	out, err := cb.call(in)
	if err == nil && len(out) > C.NUVERA_MAX_SIGNATURE_LEN {
		err = fmt.Errorf("the SignFunc returned %d bytes, more than any RSA signature (%d)", len(out), C.NUVERA_MAX_SIGNATURE_LEN)
	}
	if err != nil {
		// The C buffer holds NUVERA_CALLBACK_MESSAGE_LEN bytes, NUL included; the core cuts the
		// message there anyway.
		text := err.Error()
		if len(text) > C.NUVERA_CALLBACK_MESSAGE_LEN-1 {
			text = text[:C.NUVERA_CALLBACK_MESSAGE_LEN-1]
		}
		buf := unsafe.Slice((*byte)(unsafe.Pointer(message)), C.NUVERA_CALLBACK_MESSAGE_LEN)
		buf[copy(buf, text)] = 0
		return 1
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(signature)), C.NUVERA_MAX_SIGNATURE_LEN), out)
	*signatureLen = C.size_t(len(out))
	return 0
}

// call runs the SignFunc with a context that ends when the core stops waiting. A panic becomes
// the call's error: it must not unwind into the C library's frames, where Go would crash.
func (cb *signCallback) call(input []byte) (out []byte, err error) {
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if cb.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, cb.timeout)
	}
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("the SignFunc panicked: %v", p)
		}
	}()
	return cb.fn(ctx, input)
}

// nuveraGoSignFree releases the SignFunc when the C key is freed (with the last signer using it).
//
//export nuveraGoSignFree
func nuveraGoSignFree(h C.uintptr_t) {
	cgo.Handle(h).Delete()
}
