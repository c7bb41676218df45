package nuvera

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rsaKey reads a PKCS#8 test key into crypto/rsa: Go's own RSA plays the KMS, so the tokens below
// are checked against the vectors through an implementation independent of the core's.
func rsaKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key.(*rsa.PrivateKey)
}

func publicPEM(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// kmsSign signs as AWS KMS does: a digest (MessageType=DIGEST) or a message it hashes itself.
func kmsSign(key *rsa.PrivateKey, input SignatureInput) SignFunc {
	return func(_ context.Context, data []byte) ([]byte, error) {
		digest := data
		if input == SignMessage {
			sum := sha256.Sum256(data)
			digest = sum[:]
		}
		return rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest)
	}
}

// signVectors signs every JWT vector with key and compares the tokens byte for byte.
func signVectors(t *testing.T, key Key) {
	t.Helper()
	for _, c := range loadVectors(t).JWT {
		signer, err := NewSigner(key, c.APIKey, WithLifetime(time.Duration(c.Lifetime)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		signed, err := signer.Sign(c.Method, c.URL, b64(t, c.BodyBase64), WithIssuedAt(c.Iat), WithJTI(c.Jti))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if signed.Token() != c.Token {
			t.Errorf("%s: token\n got %s\nwant %s", c.Name, signed.Token(), c.Token)
		}
		signer.Close()
	}
}

func TestCallbackKeySignsTheVectors(t *testing.T) {
	kms := rsaKey(t, "test-rsa2048-pkcs8.pem")
	for _, input := range []SignatureInput{SignDigest, SignMessage} {
		for _, timeout := range []*time.Duration{nil, new(time.Duration)} {
			name := fmt.Sprintf("%s/timeout=%v", input, timeout != nil)
			t.Run(name, func(t *testing.T) {
				var calls atomic.Int32
				var sawDeadline atomic.Bool
				sign := kmsSign(kms, input)
				opts := []RemoteKeyOption{WithSignatureInput(input)}
				if timeout != nil {
					opts = append(opts, WithCallbackTimeout(*timeout))
				}
				key, err := RemoteKeyFromCallback(func(ctx context.Context, data []byte) ([]byte, error) {
					calls.Add(1)
					_, ok := ctx.Deadline()
					sawDeadline.Store(ok)
					if input == SignDigest && len(data) != sha256.Size {
						return nil, fmt.Errorf("want a digest, got %d bytes", len(data))
					}
					return sign(ctx, data)
				}, publicPEM(t, "test-rsa2048-public.pem"), opts...)
				if err != nil {
					t.Fatal(err)
				}
				defer key.Close()
				if err := key.Check(); err != nil {
					t.Fatal(err)
				}
				signVectors(t, key)
				if n := int(calls.Load()); n != 1+len(loadVectors(t).JWT) {
					t.Errorf("%d calls for a check and %d signatures", n, len(loadVectors(t).JWT))
				}
				// The default bound (10 s) reaches the SignFunc as its ctx's deadline; no bound, none.
				if sawDeadline.Load() != (timeout == nil) {
					t.Errorf("ctx deadline set: %v, want %v", sawDeadline.Load(), timeout == nil)
				}
			})
		}
	}
}

func TestCallbackKeyDescribesItselfLikeTheKeyFile(t *testing.T) {
	key, err := RemoteKeyFromCallback(kmsSign(rsaKey(t, "test-rsa2048-pkcs8.pem"), SignDigest), publicPEM(t, "test-rsa2048-public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	file := testKey(t)
	wantFP, _ := file.Fingerprint()
	wantPEM, _ := file.PublicKeyPEM()
	if fp, err := key.Fingerprint(); err != nil || fp != wantFP {
		t.Errorf("Fingerprint = %q, %v; want %q", fp, err, wantFP)
	}
	if pem, err := key.PublicKeyPEM(); err != nil || pem != wantPEM {
		t.Errorf("PublicKeyPEM = %q, %v", pem, err)
	}
	if n, err := key.Bits(); err != nil || n != 2048 {
		t.Errorf("Bits = %d, %v", n, err)
	}
	if s := key.String(); !strings.Contains(s, wantFP) {
		t.Errorf("String = %q", s)
	}
	key.Close()
	wantCode(t, key.Check(), CodeObjectClosed)
	if _, err := NewSigner(key, "nv_test_1234"); err == nil {
		t.Fatal("a closed key made a signer")
	} else {
		wantCode(t, err, CodeObjectClosed)
	}
	var nilKey *RemoteKey
	_, err = NewSigner(nilKey, "nv_test_1234")
	wantCode(t, err, CodeInvalidArgument)
}

// signOnce makes a signer with key and signs one GET, returning the error.
func signOnce(t *testing.T, key Key) error {
	t.Helper()
	signer, err := NewSigner(key, "nv_test_1234")
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	signed, err := signer.Sign("GET", "/api/v1/customers", nil)
	if err == nil && signed == nil {
		t.Fatal("no error and no signed request")
	}
	return err
}

func TestCallbackKeyFailuresHaveTheCoresCodes(t *testing.T) {
	public := publicPEM(t, "test-rsa2048-public.pem")
	newKey := func(t *testing.T, fn SignFunc, opts ...RemoteKeyOption) *RemoteKey {
		key, err := RemoteKeyFromCallback(fn, public, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { key.Close() })
		return key
	}

	t.Run("the SignFunc errs", func(t *testing.T) {
		key := newKey(t, func(context.Context, []byte) ([]byte, error) {
			return nil, errors.New("AccessDeniedException: not authorized to kms:Sign")
		})
		e := wantCode(t, signOnce(t, key), CodeRemoteSignerFailed)
		if e.Family != "remote" || !strings.Contains(e.Message, "AccessDeniedException") {
			t.Errorf("family %q, message %q", e.Family, e.Message)
		}
		wantCode(t, key.Check(), CodeRemoteSignerFailed)
	})
	t.Run("the SignFunc panics", func(t *testing.T) {
		key := newKey(t, func(context.Context, []byte) ([]byte, error) { panic("kms client bug") })
		e := wantCode(t, signOnce(t, key), CodeRemoteSignerFailed)
		if !strings.Contains(e.Message, "kms client bug") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("another key of the same size", func(t *testing.T) {
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key := newKey(t, kmsSign(other, SignDigest))
		wantCode(t, key.Check(), CodeRemoteKeyMismatch)
		wantCode(t, signOnce(t, key), CodeRemoteKeyMismatch)
	})
	t.Run("a signature of another length (base64 text)", func(t *testing.T) {
		sign := kmsSign(rsaKey(t, "test-rsa2048-pkcs8.pem"), SignDigest)
		key := newKey(t, func(ctx context.Context, data []byte) ([]byte, error) {
			sig, err := sign(ctx, data)
			return []byte(fmt.Sprintf("%x", sig)), err
		})
		wantCode(t, signOnce(t, key), CodeRemoteSignerFailed)
	})
	t.Run("a call past its timeout", func(t *testing.T) {
		release := make(chan struct{})
		done := make(chan error, 1)
		key := newKey(t, func(ctx context.Context, _ []byte) ([]byte, error) {
			<-release
			// The ctx ends by its deadline, the bound the core applies.
			<-ctx.Done()
			done <- ctx.Err()
			return nil, errors.New("released")
		}, WithCallbackTimeout(50*time.Millisecond))
		e := wantCode(t, signOnce(t, key), CodeRemoteSignerFailed)
		if !strings.Contains(e.Message, "did not return within 50 ms") {
			t.Errorf("message %q", e.Message)
		}
		// The abandoned call's ctx ends with the bound: a KMS client given it stops.
		close(release)
		if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the abandoned call's ctx: %v", err)
		}
	})
	t.Run("bad arguments", func(t *testing.T) {
		_, err := RemoteKeyFromCallback(nil, public)
		wantCode(t, err, CodeInvalidArgument)
		_, err = RemoteKeyFromCallback(kmsSign(nil, SignDigest), public, WithCallbackTimeout(-time.Second))
		wantCode(t, err, CodeInvalidArgument)
		_, err = RemoteKeyFromCallback(kmsSign(nil, SignDigest), public, WithSignatureInput(7))
		wantCode(t, err, CodeInvalidArgument)
		_, err = RemoteKeyFromCallback(kmsSign(nil, SignDigest), "not a key")
		wantCode(t, err, CodeInvalidPublicKey)
	})
}

// One callback key signing from many goroutines: the core calls the SignFunc from its helper
// threads, through cgo, at once (run under -race).
func TestCallbackKeyFromManyGoroutines(t *testing.T) {
	v := loadVectors(t).JWT[0]
	key, err := RemoteKeyFromCallback(kmsSign(rsaKey(t, "test-rsa2048-pkcs8.pem"), SignDigest), publicPEM(t, "test-rsa2048-public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewSigner(key, v.APIKey, WithLifetime(time.Duration(v.Lifetime)*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	key.Close() // the signer keeps the key, and the SignFunc, alive
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3; i++ {
				signed, err := signer.Sign(v.Method, v.URL, b64(t, v.BodyBase64), WithIssuedAt(v.Iat), WithJTI(v.Jti))
				if err != nil || signed.Token() != v.Token {
					t.Errorf("sign from a goroutine: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	signer.Close()
}

// A SoftHSM2 token for this test process, made once: a PKCS#11 module reads SOFTHSM2_CONF once
// per process (the core never finalises it), so every test shares one token.
const (
	hsmModule   = "/usr/lib/softhsm/libsofthsm2.so"
	hsmToken    = "nuvera-go-test"
	hsmKeyLabel = "signing"
	hsmPIN      = "pin-4711-user"
	hsmPINEnv   = "NUVERA_GO_TEST_PKCS11_PIN"
)

var (
	hsmOnce sync.Once
	hsmDir  string
	hsmErr  error
)

func softHSMToken(t *testing.T) string {
	t.Helper()
	hsmOnce.Do(func() {
		if hsmDir, hsmErr = os.MkdirTemp("", "nuvera-go-softhsm"); hsmErr != nil {
			return
		}
		tokens := filepath.Join(hsmDir, "tokens")
		conf := filepath.Join(hsmDir, "softhsm2.conf")
		if hsmErr = os.Mkdir(tokens, 0o700); hsmErr != nil {
			return
		}
		text := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", tokens)
		if hsmErr = os.WriteFile(conf, []byte(text), 0o600); hsmErr != nil {
			return
		}
		os.Setenv("SOFTHSM2_CONF", conf)
		os.Setenv(hsmPINEnv, hsmPIN)
		for _, args := range [][]string{
			{"--init-token", "--free", "--label", hsmToken, "--so-pin", "pin-0815-so", "--pin", hsmPIN},
			{"--import", filepath.Join(testdata, "keys/test-rsa2048-pkcs8.pem"), "--token", hsmToken,
				"--label", hsmKeyLabel, "--id", "01", "--pin", hsmPIN},
		} {
			if out, err := exec.Command("softhsm2-util", args...).CombinedOutput(); err != nil {
				hsmErr = fmt.Errorf("softhsm2-util %v (scripts/install-tools go installs softhsm2): %v\n%s", args, err, out)
				return
			}
		}
	})
	if hsmErr != nil {
		t.Fatal(hsmErr)
	}
	return hsmDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if hsmDir != "" {
		os.RemoveAll(hsmDir)
	}
	os.Exit(code)
}

func TestPKCS11KeySignsTheVectors(t *testing.T) {
	softHSMToken(t)
	key, err := RemoteKeyFromPKCS11(PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, KeyLabel: hsmKeyLabel, PINEnv: hsmPINEnv})
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	if err := key.Check(); err != nil {
		t.Fatal(err)
	}
	signVectors(t, key)
	if s := key.String(); strings.Contains(s, hsmPIN) {
		t.Errorf("String shows the PIN: %s", s)
	}
}

func TestPKCS11KeyByIDWithThePINInAFile(t *testing.T) {
	dir := softHSMToken(t)
	pinFile := filepath.Join(dir, "pin")
	if err := os.WriteFile(pinFile, []byte(hsmPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := RemoteKeyFromPKCS11(PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, KeyIDHex: "01", PINFile: pinFile})
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	if pem, err := key.PublicKeyPEM(); err != nil || strings.TrimSpace(pem) != strings.TrimSpace(publicPEM(t, "test-rsa2048-public.pem")) {
		t.Errorf("PublicKeyPEM = %q, %v", pem, err)
	}
}

func TestPKCS11Failures(t *testing.T) {
	dir := softHSMToken(t)
	wrongPIN := filepath.Join(dir, "wrong-pin")
	if err := os.WriteFile(wrongPIN, []byte("wrong-pin-0000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	slot := uint64(0)
	for _, c := range []struct {
		name string
		cfg  PKCS11Config
		code string
	}{
		{"a PIN the token refuses", PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, KeyLabel: hsmKeyLabel, PINFile: wrongPIN}, CodeRemoteSignerFailed},
		{"no such token", PKCS11Config{Module: hsmModule, TokenLabel: "no-such-token", KeyLabel: hsmKeyLabel, PINEnv: hsmPINEnv}, CodeRemoteSignerFailed},
		{"no such key", PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, KeyLabel: "no-such-key", PINEnv: hsmPINEnv}, CodeRemoteSignerFailed},
		{"no such module", PKCS11Config{Module: "/nonexistent/libpkcs11.so", TokenLabel: hsmToken, KeyLabel: hsmKeyLabel, PINEnv: hsmPINEnv}, CodeRemoteSignerFailed},
		{"label and slot", PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, Slot: &slot, KeyLabel: hsmKeyLabel, PINEnv: hsmPINEnv}, CodeInvalidArgument},
		{"no key selector", PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, PINEnv: hsmPINEnv}, CodeInvalidArgument},
		{"an unset PIN variable", PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, KeyLabel: hsmKeyLabel, PINEnv: "NUVERA_GO_TEST_UNSET"}, CodeInvalidArgument},
		{"a key id that is not hex", PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, KeyIDHex: "0x1", PINEnv: hsmPINEnv}, CodeInvalidArgument},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := RemoteKeyFromPKCS11(c.cfg)
			e := wantCode(t, err, c.code)
			if strings.Contains(e.Message, hsmPIN) || strings.Contains(e.Message, "wrong-pin-0000") {
				t.Errorf("the message shows a PIN: %s", e.Message)
			}
		})
	}
}

// A PKCS#11 key signs through the Transport; the mock server (which holds the public key of the
// key imported into the token) accepts the requests.
func TestPKCS11KeyAgainstTheMockServer(t *testing.T) {
	softHSMToken(t)
	m := startMock(t)
	key, err := RemoteKeyFromPKCS11(PKCS11Config{Module: hsmModule, TokenLabel: hsmToken, KeyLabel: hsmKeyLabel, PINEnv: hsmPINEnv})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewSigner(key, m.APIKey)
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	client := &http.Client{Transport: &Transport{Signer: signer}}
	customer := []byte(`{"companyName":"Acme Imports","registrationNumber":"ACME-123"}`)
	if status, text := do(t, client, "POST", m.URL+"/api/v1/customers", "application/json", customer); status != 201 {
		t.Fatalf("POST: %d %s", status, text)
	}
	if status, text := do(t, client, "GET", m.URL+"/api/v1/customers?limit=20", "", nil); status != 200 {
		t.Fatalf("GET: %d %s", status, text)
	}
	// The server really checks: an unsigned request is refused.
	if status, _ := do(t, http.DefaultClient, "GET", m.URL+"/api/v1/customers", "", nil); status != 401 {
		t.Fatalf("unsigned GET: %d, want 401", status)
	}
}
