package nuvera

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// The codes Go names are the core's list: testdata/error-codes.json and the C library's.
func TestCodesAreTheCoresList(t *testing.T) {
	var want []struct {
		Code, Family string
		HTTPStatus   *int `json:"httpStatus"`
	}
	readJSON(t, "error-codes.json", &want)
	var codes []string
	for _, c := range want {
		codes = append(codes, c.Code)
		if got := CodeFamily(c.Code); got != c.Family {
			t.Errorf("CodeFamily(%s) = %q, want %q", c.Code, got, c.Family)
		}
	}
	if !reflect.DeepEqual(knownCodes, codes) {
		t.Errorf("the Code* constants differ from testdata/error-codes.json: run go generate\n got %v\nwant %v", knownCodes, codes)
	}
	if got := Codes(); !reflect.DeepEqual(got, codes) {
		t.Errorf("the C library's codes differ from testdata/error-codes.json\n got %v\nwant %v", got, codes)
	}
	if CodeFamily("NOT_A_CODE") != "" {
		t.Error("CodeFamily of a non-code")
	}
}

func TestErrorsCarryTheCoresCodes(t *testing.T) {
	_, err := RequestURI("ftp://example.com/x")
	e := wantCode(t, err, CodeInvalidURL)
	if e.Family != "request" || e.HTTPStatus != 0 || !strings.HasPrefix(err.Error(), "INVALID_URL: ") {
		t.Errorf("error %+v", e)
	}
	if !errors.Is(err, &Error{Code: CodeInvalidURL}) || errors.Is(err, &Error{Code: CodeInvalidMethod}) {
		t.Error("errors.Is compares codes")
	}
	_, err = ParsePrivateKey([]byte("not a key"), nil)
	wantCode(t, err, CodeInvalidPrivateKey)

	key := testKey(t)
	signer, err := NewSigner(key, "nv_test_go")
	if err != nil {
		t.Fatal(err)
	}
	_, err = signer.Sign("GE T", "/x", nil)
	wantCode(t, err, CodeInvalidMethod)
	// C text ends at a NUL byte: an argument holding one is refused, never signed cut short.
	for _, args := range [][2]string{{"GET\x00X", "/x"}, {"GET", "/a\x00/b"}} {
		_, err = signer.Sign(args[0], args[1], nil)
		wantCode(t, err, CodeInvalidArgument)
	}
	_, err = signer.Sign("GET", "/x", nil, WithJTI("id\x00more"))
	wantCode(t, err, CodeInvalidArgument)
	_, err = RequestURI("https://example.com/a\x00/b")
	wantCode(t, err, CodeInvalidArgument)
	_, err = SendableURL("https://example.com/a\x00/b")
	wantCode(t, err, CodeInvalidArgument)
	_, err = NewExchange(nil, "GET", "https://example.com/a\x00/b", false, signer)
	wantCode(t, err, CodeInvalidArgument)
	_, err = signer.SignBodyHash("GET", "/x", "ABC")
	wantCode(t, err, CodeInvalidBodyHash)
	_, err = signer.SignMultipartWire("POST", "/x", "multipart/form-data; boundary=b", []byte("garbage"))
	wantCode(t, err, CodeMultipartMalformed)
	_, err = NewSigner(key, "nv_test_go", WithLifetime(61e9))
	wantCode(t, err, CodeInvalidLifetime)
	_, err = NewSigner(key, "nv_test_go", WithClockOffset(86_401))
	wantCode(t, err, CodeClockSkewTooLarge)
	_, err = signer.SignFile("POST", "/x", "/nonexistent/body")
	wantCode(t, err, CodeIOError)
}

// A failing reader's own error, and a cancelled context, come back through errors.Is.
func TestReaderErrorsAreWrapped(t *testing.T) {
	signer, err := NewSigner(testKey(t), "nv_test_go")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	_, err = signer.SignReader(context.Background(), "POST", "/x", io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)))
	wantCode(t, err, CodeIOError)
	if !errors.Is(err, boom) {
		t.Errorf("the reader's error is lost: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = BodyHashReader(ctx, strings.NewReader("abc"))
	wantCode(t, err, CodeIOError)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the context's error is lost: %v", err)
	}
}

// A closed handle is OBJECT_CLOSED, not a crash; fmt shows no secret.
func TestClosedHandlesAndNoSecrets(t *testing.T) {
	key := testKey(t)
	signer, err := NewSigner(key, "nv_live_secret_api_key_123")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signer.Sign("GET", "/api/v1/customers", nil)
	if err != nil {
		t.Fatal(err)
	}
	proof := signed.Proof()
	if !json.Valid([]byte(proof)) || !strings.Contains(proof, signed.Claims().BodyHash) || strings.Contains(proof, "secret_api_key") || strings.Contains(proof, signed.Token()) {
		t.Errorf("proof: %s", proof)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{signed, key, signer, signed.Claims()} {
			s := fmt.Sprintf(verb, v)
			if strings.Contains(s, "secret_api_key") || strings.Contains(s, signed.Token()) || strings.Contains(s, "PRIVATE") {
				t.Errorf("%s of %T shows a secret: %s", verb, v, s)
			}
		}
	}
	key.Close()
	if _, err := key.Fingerprint(); err == nil {
		t.Fatal("a closed key still works")
	} else {
		wantCode(t, err, CodeObjectClosed)
	}
	// The signer keeps its own reference to the key.
	if _, err := signer.Sign("GET", "/x", nil); err != nil {
		t.Fatal(err)
	}
	signer.Close()
	signer.Close()
	_, err = signer.Sign("GET", "/x", nil)
	wantCode(t, err, CodeObjectClosed)
	_, err = signer.SignReader(context.Background(), "POST", "/x", bytes.NewReader(nil))
	wantCode(t, err, CodeObjectClosed)
}
