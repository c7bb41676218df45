package nuvera

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// mockServer is a running `nuvera-sign serve` (the project's mock of the Nuvera API), started
// by scripts/mock-server with the project's test key.
type mockServer struct {
	URL, APIKey, KeyFile, Log string
}

// startMock starts a mock server with serveArgs (e.g. --test-routes, --clock-offset 600) and
// stops it when the test ends. $NUVERA_SIGN_BIN, when set, is the binary to run.
func startMock(t *testing.T, serveArgs ...string) *mockServer {
	t.Helper()
	env := filepath.Join(t.TempDir(), "mock.env")
	args := append([]string{"../scripts/mock-server", "start", "--env", env, "--"}, serveArgs...)
	cmd := exec.Command("bash", args...)
	cmd.Stderr = os.Stderr
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("scripts/mock-server start: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		_ = exec.Command("bash", "../scripts/mock-server", "stop", "--env", env).Run()
	})
	f, err := os.Open(env)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = v
		}
	}
	m := &mockServer{URL: vars["NUVERA_MOCK_URL"], APIKey: vars["NUVERA_API_KEY"], KeyFile: vars["NUVERA_PRIVATE_KEY_FILE"], Log: vars["NUVERA_MOCK_LOG"]}
	if m.URL == "" || m.APIKey == "" || m.KeyFile == "" {
		t.Fatalf("incomplete mock-server env: %v", vars)
	}
	return m
}

func (m *mockServer) signer(t *testing.T, opts ...SignerOption) *Signer {
	t.Helper()
	key, err := LoadPrivateKey(m.KeyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(key, m.APIKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recorder wraps the real net/http transport and keeps what went out (method, URL, the
// credential headers, the Content-Type), to check what the Transport sent.
type recorder struct {
	mu    sync.Mutex
	sends []sent
	base  http.RoundTripper
}

type sent struct {
	Method, URL, APIKey, Authorization, ContentType string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.sends = append(r.sends, sent{req.Method, req.URL.String(), req.Header.Get("x-api-key"), req.Header.Get("Authorization"), req.Header.Get("Content-Type")})
	r.mu.Unlock()
	base := r.base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

func (r *recorder) all() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.sends...)
}
