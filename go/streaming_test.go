package nuvera

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// zeros yields zero bytes without allocating.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// goAllocated is what the Go heap allocated in total during f.
func goAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A 64 MiB body is streamed through the core: the Go side allocates a small, fixed amount.
func TestReadersAreStreamed(t *testing.T) {
	const size = 64 << 20
	signer, err := NewSigner(testKey(t), "nv_test_go")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var signedSize int64
	allocated := goAllocated(func() {
		if _, err := signer.SignReader(ctx, "POST", "/api/v1/documents", io.LimitReader(zeros{}, size)); err != nil {
			t.Fatal(err)
		}
		_, signedSize, err = BodyHashReader(ctx, io.LimitReader(zeros{}, size))
		if err != nil {
			t.Fatal(err)
		}
	})
	if signedSize != size || allocated > 1<<20 {
		t.Fatalf("hashed %d bytes, allocating %d bytes in Go for two 64 MiB bodies", signedSize, allocated)
	}
}

// The Transport streams a file-backed body twice (to the signer, to the server) without holding it.
func TestTransportStreamsLargeBodies(t *testing.T) {
	const size = 32 << 20
	m := startMock(t)
	// A multipart upload with a 32 MiB file part: the server streams it into the hash and keeps
	// only its summary (a JSON customer record is capped at 64 KiB since issue 13).
	path := filepath.Join(t.TempDir(), "large.multipart")
	form, err := NewMultipartForm()
	if err != nil {
		t.Fatal(err)
	}
	defer form.Close()
	if err := form.AddField("customerId", "c_42"); err != nil {
		t.Fatal(err)
	}
	if err := form.AddFileReader("file", "large.bin", io.LimitReader(repeatA{}, size), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	if err := form.EncodeToFile(path); err != nil {
		t.Fatal(err)
	}
	contentType, err := form.ContentType()
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	client := &http.Client{Transport: &Transport{Signer: m.signer(t)}}
	var status int
	allocated := goAllocated(func() {
		body, _ := os.Open(path)
		req, _ := http.NewRequest("POST", m.URL+"/api/v1/documents", body)
		req.ContentLength = info.Size()
		req.GetBody = func() (io.ReadCloser, error) { return os.Open(path) }
		req.Header.Set("Content-Type", contentType)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		status = resp.StatusCode
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
	})
	if status != 201 {
		t.Fatalf("status %d", status)
	}
	if allocated > 8<<20 {
		t.Fatalf("the Go side allocated %d bytes for a %d-byte body", allocated, info.Size())
	}
}

type repeatA struct{}

func (repeatA) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	return len(p), nil
}
