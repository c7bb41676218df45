package nuvera

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testdata is the project's copy of the shared contract's vectors and keys.
const testdata = "../testdata"

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, path))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func testKey(t testing.TB) *PrivateKey {
	t.Helper()
	key, err := LoadPrivateKey(filepath.Join(testdata, "keys/test-rsa2048-pkcs8.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// wantCode fails unless err is an *Error with code.
func wantCode(t testing.TB, err error, code string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *Error with code %s, got %v", code, err)
	}
	if e.Code != code {
		t.Fatalf("want code %s, got %s (%s)", code, e.Code, e.Message)
	}
	return e
}

// base64URL decodes a JWT segment.
func base64URL(s string) io.Reader {
	return base64.NewDecoder(base64.RawURLEncoding, strings.NewReader(s))
}

func readFile(path string) ([]byte, error) {
	time.Sleep(10 * time.Millisecond) // polling pace, not an assertion
	return os.ReadFile(path)
}
