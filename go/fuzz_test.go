package nuvera

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"testing/iotest"
)

// FuzzMultipartWireHash feeds arbitrary bodies and boundaries to the multipart wire hash: it
// never crashes, never reports an internal error, and the in-memory and streamed paths agree
// (same hash, or the same error code).
//
//	go test -run '^$' -fuzz FuzzMultipartWireHash -fuzztime 10s
func FuzzMultipartWireHash(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.Multipart {
		f.Add(c.ContentType, b64(f, c.BodyBase64))
	}
	f.Add("multipart/form-data; boundary=b", []byte("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--"))
	f.Add("multipart/form-data", []byte("--\r\n"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		memory, errMemory := MultipartBodyHash(contentType, body)
		streamed, errStreamed := MultipartBodyHashReader(context.Background(), contentType, iotest.HalfReader(bytes.NewReader(body)))
		for _, err := range []error{errMemory, errStreamed} {
			var e *Error
			if err != nil && (!errors.As(err, &e) || e.Code == CodeInternalError || e.Code == "") {
				t.Fatalf("unexpected failure: %v", err)
			}
		}
		if (errMemory == nil) != (errStreamed == nil) {
			t.Fatalf("memory: %q %v; streamed: %q %v", memory, errMemory, streamed, errStreamed)
		}
		if errMemory != nil {
			if errMemory.(*Error).Code != errStreamed.(*Error).Code {
				t.Fatalf("codes differ: %v / %v", errMemory, errStreamed)
			}
			return
		}
		if memory != streamed || len(memory) != 64 {
			t.Fatalf("memory %q, streamed %q", memory, streamed)
		}
	})
}
