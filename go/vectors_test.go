package nuvera

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// vectors is testdata/vectors/signing-vectors.json, made by an independent implementation.
type vectors struct {
	Key string `json:"key"`
	URI []struct {
		URL string `json:"url"`
		URI string `json:"uri"`
	} `json:"uri"`
	Multipart []struct {
		Name        string      `json:"name"`
		ContentType string      `json:"contentType"`
		BodyBase64  string      `json:"bodyBase64"`
		Fields      [][2]string `json:"fields"`
		Files       [][4]string `json:"files"`
		Canonical   string      `json:"canonical"`
		BodyHash    string      `json:"bodyHash"`
	} `json:"multipart"`
	JWT []struct {
		Name       string `json:"name"`
		APIKey     string `json:"apiKey"`
		Method     string `json:"method"`
		URL        string `json:"url"`
		BodyBase64 string `json:"bodyBase64"`
		Iat        int64  `json:"iat"`
		Jti        string `json:"jti"`
		Lifetime   int    `json:"lifetime"`
		URI        string `json:"uri"`
		BodyHash   string `json:"bodyHash"`
		Payload    string `json:"payload"`
		Token      string `json:"token"`
	} `json:"jwt"`
}

func loadVectors(t testing.TB) vectors {
	var v vectors
	readJSON(t, "vectors/signing-vectors.json", &v)
	if len(v.URI) == 0 || len(v.Multipart) == 0 || len(v.JWT) == 0 {
		t.Fatal("the vector file has an empty section")
	}
	return v
}

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestURIVectors(t *testing.T) {
	for _, c := range loadVectors(t).URI {
		got, err := RequestURI(c.URL)
		if err != nil || got != c.URI {
			t.Errorf("RequestURI(%q) = %q, %v; want %q", c.URL, got, err, c.URI)
		}
	}
}

func TestMultipartVectors(t *testing.T) {
	ctx := context.Background()
	for _, c := range loadVectors(t).Multipart {
		t.Run(c.Name, func(t *testing.T) {
			body := b64(t, c.BodyBase64)
			if got, err := MultipartBodyHash(c.ContentType, body); err != nil || got != c.BodyHash {
				t.Errorf("MultipartBodyHash = %q, %v; want %q", got, err, c.BodyHash)
			}
			if got, err := MultipartCanonicalJSON(c.ContentType, body); err != nil || got != c.Canonical {
				t.Errorf("MultipartCanonicalJSON = %q, %v; want %q", got, err, c.Canonical)
			}
			// Streamed one byte at a time: the same hash.
			if got, err := MultipartBodyHashReader(ctx, c.ContentType, iotest.OneByteReader(bytes.NewReader(body))); err != nil || got != c.BodyHash {
				t.Errorf("MultipartBodyHashReader = %q, %v; want %q", got, err, c.BodyHash)
			}
			if got, err := ReceivedBodyHash(c.ContentType, body); err != nil || got != c.BodyHash {
				t.Errorf("ReceivedBodyHash = %q, %v; want %q", got, err, c.BodyHash)
			}
			if !IsMultipartFormData(c.ContentType) {
				t.Errorf("IsMultipartFormData(%q) = false", c.ContentType)
			}
			// The same form described by parts.
			form, err := NewMultipartForm()
			if err != nil {
				t.Fatal(err)
			}
			defer form.Close()
			for _, f := range c.Fields {
				if err := form.AddField(f[0], f[1]); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range c.Files {
				if err := form.AddFileBytes(f[0], f[1], b64(t, f[3]), f[2]); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := form.CanonicalJSON(); err != nil || got != c.Canonical {
				t.Errorf("form.CanonicalJSON = %q, %v; want %q", got, err, c.Canonical)
			}
			if got, err := form.BodyHash(); err != nil || got != c.BodyHash {
				t.Errorf("form.BodyHash = %q, %v; want %q", got, err, c.BodyHash)
			}
			// Its own encoding hashes alike through the wire path.
			wire, err := form.Encode()
			if err != nil {
				t.Fatal(err)
			}
			ct, err := form.ContentType()
			if err != nil {
				t.Fatal(err)
			}
			if got, err := MultipartBodyHash(ct, wire); err != nil || got != c.BodyHash {
				t.Errorf("hash of the form's own encoding = %q, %v; want %q", got, err, c.BodyHash)
			}
		})
	}
}

func TestJWTVectors(t *testing.T) {
	key := testKey(t)
	defer key.Close()
	ctx := context.Background()
	for _, c := range loadVectors(t).JWT {
		t.Run(c.Name, func(t *testing.T) {
			signer, err := NewSigner(key, c.APIKey, WithLifetime(time.Duration(c.Lifetime)*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			defer signer.Close()
			body := b64(t, c.BodyBase64)
			pin := []SignOption{WithIssuedAt(c.Iat), WithJTI(c.Jti)}
			check := func(how string, signed *SignedRequest, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", how, err)
				}
				if signed.Token() != c.Token {
					t.Errorf("%s: token differs:\n got %s\nwant %s", how, signed.Token(), c.Token)
				}
				if signed.ClaimsJSON() != c.Payload {
					t.Errorf("%s: payload %s, want %s", how, signed.ClaimsJSON(), c.Payload)
				}
				cl := signed.Claims()
				if cl.URI != c.URI || cl.BodyHash != c.BodyHash || cl.Iat != c.Iat || cl.Exp != c.Iat+int64(c.Lifetime) || cl.Jti != c.Jti || cl.Sub != c.APIKey {
					t.Errorf("%s: claims %+v", how, cl)
				}
				if signed.Authorization() != "Bearer "+c.Token || signed.APIKey() != c.APIKey {
					t.Errorf("%s: headers differ", how)
				}
				h := signed.Headers()
				if h.Get("X-Api-Key") != c.APIKey || h.Get("Authorization") != "Bearer "+c.Token {
					t.Errorf("%s: Headers() = %v", how, h)
				}
			}
			signed, err := signer.Sign(c.Method, c.URL, body, pin...)
			check("Sign", signed, err)
			signed, err = signer.SignReader(ctx, c.Method, c.URL, iotest.HalfReader(bytes.NewReader(body)), pin...)
			check("SignReader", signed, err)
			signed, err = signer.SignBodyHash(c.Method, c.URL, c.BodyHash, pin...)
			check("SignBodyHash", signed, err)
			signed, err = signer.SignBody(c.Method, c.URL, "application/json", body, pin...)
			check("SignBody", signed, err)
			path := filepath.Join(t.TempDir(), "body")
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			signed, err = signer.SignFile(c.Method, c.URL, path, pin...)
			check("SignFile", signed, err)
			if got, err := BodyHash(body); err != nil || got != c.BodyHash {
				t.Errorf("BodyHash = %q, %v", got, err)
			}
			if got, n, err := BodyHashFile(path); err != nil || got != c.BodyHash || n != int64(len(body)) {
				t.Errorf("BodyHashFile = %q, %d, %v", got, n, err)
			}
			if got, n, err := BodyHashReader(ctx, iotest.DataErrReader(bytes.NewReader(body))); err != nil || got != c.BodyHash || n != int64(len(body)) {
				t.Errorf("BodyHashReader = %q, %d, %v", got, n, err)
			}
			// No secret in what fmt prints.
			for _, s := range []string{signed.String(), signed.GoString(), key.String(), signer.String()} {
				if strings.Contains(s, c.Token) || (len(c.APIKey) > 4 && strings.Contains(s, c.APIKey)) || strings.Contains(s, "PRIVATE KEY") {
					t.Errorf("a secret in %q", s)
				}
			}
		})
	}
}

// The multipart vectors signed through every multipart entry point give the same claims.
func TestMultipartSigningAgrees(t *testing.T) {
	key := testKey(t)
	signer, err := NewSigner(key, "nv_test_go")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pin := []SignOption{WithIssuedAt(1767225600), WithJTI("go-multipart")}
	for _, c := range loadVectors(t).Multipart {
		body := b64(t, c.BodyBase64)
		want, err := signer.SignBodyHash("POST", "/api/v1/documents", c.BodyHash, pin...)
		if err != nil {
			t.Fatal(err)
		}
		wire, err := signer.SignMultipartWire("POST", "/api/v1/documents", c.ContentType, body, pin...)
		if err != nil {
			t.Fatal(err)
		}
		byType, err := signer.SignBody("POST", "/api/v1/documents", c.ContentType, body, pin...)
		if err != nil {
			t.Fatal(err)
		}
		streamed, err := signer.SignMultipartReader(ctx, "POST", "/api/v1/documents", c.ContentType, iotest.OneByteReader(bytes.NewReader(body)), pin...)
		if err != nil {
			t.Fatal(err)
		}
		bodyReader, err := signer.signBodyReader(ctx, "POST", "/api/v1/documents", c.ContentType, bytes.NewReader(body), pin...)
		if err != nil {
			t.Fatal(err)
		}
		for how, got := range map[string]*SignedRequest{"wire": wire, "by type": byType, "streamed": streamed, "body reader": bodyReader} {
			if got.Token() != want.Token() {
				t.Errorf("%s: %s signs another token", c.Name, how)
			}
		}
	}
}

// A file part from an io.Reader encodes and signs like the same bytes from memory.
func TestFormFileReader(t *testing.T) {
	data := bytes.Repeat([]byte("%PDF-1.4 stream "), 10000)
	fromMemory, _ := NewMultipartFormWithBoundary("go-reader")
	_ = fromMemory.AddField("customerId", "c_42")
	_ = fromMemory.AddFileBytes("file", "cert.pdf", data, "application/pdf")
	fromReader, _ := NewMultipartFormWithBoundary("go-reader")
	_ = fromReader.AddField("customerId", "c_42")
	if err := fromReader.AddFileReader("file", "cert.pdf", iotest.HalfReader(bytes.NewReader(data)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	want, err := fromMemory.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := fromReader.Encode()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("encodings differ (%v)", err)
	}
	signer, _ := NewSigner(testKey(t), "nv_test_go")
	a, err := signer.SignMultipart("POST", "/api/v1/documents", fromMemory, WithIssuedAt(1767225600), WithJTI("j"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := signer.SignMultipart("POST", "/api/v1/documents", fromReader, WithIssuedAt(1767225600), WithJTI("j"))
	if err != nil || a.Token() != b.Token() {
		t.Fatalf("tokens differ (%v)", err)
	}
	fromReader.Close()
	fromMemory.Close()
}
