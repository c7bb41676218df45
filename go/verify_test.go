package nuvera

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeRegistry(t *testing.T, apiKey string) string {
	t.Helper()
	pub, err := filepath.Abs(filepath.Join(testdata, "keys/test-rsa2048-public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "registry.toml")
	registry := `[[applications]]
name = "Go test"
permissions = ["CUSTOMERS_WRITE", "CUSTOMERS_READ"]
apiKeys = [{ key = "` + apiKey + `" }]
publicKeys = [{ file = "` + pub + `" }]
`
	if err := os.WriteFile(path, []byte(registry), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifier(t *testing.T) {
	const apiKey = "nv_test_go_verifier"
	v, err := NewVerifierFromRegistryFile(writeRegistry(t, apiKey))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	signer, err := NewSigner(testKey(t), apiKey)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"companyName":"Acme"}`)
	signed, err := signer.Sign("POST", "https://api.nuvera.test/api/v1/customers", body)
	if err != nil {
		t.Fatal(err)
	}
	header := signed.Headers()
	header.Set("Content-Type", "application/json")
	app, err := v.VerifyRequest("POST", "/api/v1/customers", header, body)
	if err != nil || app != "Go test" {
		t.Fatalf("VerifyRequest = %q, %v", app, err)
	}
	// The same token again is a replay.
	_, err = v.VerifyRequest("POST", "/api/v1/customers", header, body)
	if e := wantCode(t, err, CodeAuthReplayedJTI); e.HTTPStatus != 401 || e.Family != "auth" {
		t.Errorf("replay: %+v", e)
	}
	// Another body: the body hash differs.
	signed, _ = signer.Sign("POST", "/api/v1/customers", body)
	other := []byte(`{"companyName":"Acme" }`)
	hash, err := ReceivedBodyHash("application/json", other)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify("POST", "/api/v1/customers", signed.APIKey(), signed.Authorization(), hash)
	wantCode(t, err, CodeAuthBodyHashMismatch)
	// No credentials at all.
	_, err = v.VerifyRequest("GET", "/api/v1/customers", http.Header{}, nil)
	wantCode(t, err, CodeAuthMissingHeader)
	// A NUL byte cannot cross into C: refused, never verified as the text before it.
	signed, _ = signer.Sign("GET", "/api/v1/customers", nil)
	empty, _ := BodyHash(nil)
	_, err = v.Verify("GET", "/api/v1/customers\x00/../x", signed.APIKey(), signed.Authorization(), empty)
	wantCode(t, err, CodeInvalidArgument)
	nul := signed.Headers()
	nul.Set("X-Api-Key", signed.APIKey()+"\x00")
	_, err = v.VerifyRequest("GET", "/api/v1/customers", nul, nil)
	wantCode(t, err, CodeInvalidArgument)
	// Refused before, the same request is still accepted: its jti was not spent.
	if _, err = v.VerifyRequest("GET", "/api/v1/customers", signed.Headers(), nil); err != nil {
		t.Fatalf("after refusals: %v", err)
	}
}

func TestExplainAndSupportBundle(t *testing.T) {
	const apiKey = "nv_live_secret_for_explain"
	key := testKey(t)
	signer, err := NewSigner(key, apiKey)
	if err != nil {
		t.Fatal(err)
	}
	signedBody := []byte(`{"a":1,"b":2}`)
	signed, err := signer.Sign("POST", "https://api.nuvera.test/api/v1/customers", signedBody)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	sent := SentRequest{Method: "POST", URL: "https://api.nuvera.test/api/v1/customers", APIKey: apiKey,
		ContentType: "application/json", Body: []byte(`{"b":2,"a":1}`), Token: signed.Token(),
		Header: http.Header{"Content-Type": {"application/json"}}}
	report, err := Explain(sent, ExplainOptions{PublicKeyPEM: pub, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if report.OK || !strings.Contains(report.JSON, "AUTH_BODY_HASH_MISMATCH") || report.Text == "" {
		t.Errorf("a re-serialized body is not reported: %+v", report)
	}
	sent.Body = signedBody
	report, err = Explain(sent, ExplainOptions{PublicKeyPEM: pub})
	if err != nil || !report.OK {
		t.Errorf("the body as signed: %+v, %v", report, err)
	}
	bundle, err := NewSupportBundle(sent, SupportBundleOptions{Status: 401, ResponseBody: []byte(`{"errors":[{"code":"AUTH_BODY_HASH_MISMATCH","message":"m"}]}`), Application: "Acme Payouts"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(bundle, apiKey) || strings.Contains(bundle, signed.Token()) || !strings.Contains(bundle, "Acme Payouts") {
		t.Errorf("support bundle: %s", bundle)
	}
	fp, err := key.Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := PublicKeyFingerprint(pub); err != nil || got != fp {
		t.Errorf("PublicKeyFingerprint = %q, %v; want %q", got, err, fp)
	}
	if bits, err := key.Bits(); err != nil || bits != 2048 {
		t.Errorf("Bits = %d, %v", bits, err)
	}
}

// WithIssuer and WithAudience reach the token's claims, and a verifier expecting the defaults
// refuses such a token; empty values are refused by the core.
func TestSignerIssuerAudience(t *testing.T) {
	signer, err := NewSigner(testKey(t), "nv_test_go_options", WithIssuer("partner-gateway"), WithAudience("nuvera-sandbox"), WithLifetime(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signer.Sign("GET", "https://api.nuvera.test/api/v1/customers", nil, WithIssuedAt(1767225600), WithJTI("3b241101-e2bb-4255-8caf-4136c566a962"))
	if err != nil {
		t.Fatal(err)
	}
	claims := signed.ClaimsJSON()
	for _, want := range []string{`"iss":"partner-gateway","aud":"nuvera-sandbox"`, `"iat":1767225600,"exp":1767225630`} {
		if !strings.Contains(claims, want) {
			t.Errorf("claims %s lack %s", claims, want)
		}
	}
	_, err = NewSigner(testKey(t), "nv_test_go_options", WithIssuer(""))
	wantCode(t, err, CodeInvalidClaim)
	_, err = NewSigner(testKey(t), "nv_test_go_options", WithAudience(""))
	wantCode(t, err, CodeInvalidClaim)
}

// Which Content-Types the core signs through the multipart canonical object (SIGNING.md §5:
// multipart/form-data, any case, parameters ignored) and which byte for byte.
func TestIsMultipartFormData(t *testing.T) {
	for ct, want := range map[string]bool{
		"multipart/form-data; boundary=abc":   true,
		"MULTIPART/Form-Data; boundary=\"x\"": true,
		"multipart/form-data":                 true,
		"multipart/mixed; boundary=abc":       false,
		"application/json":                    false,
		"application/x-www-form-urlencoded":   false,
		"":                                    false,
	} {
		if got := IsMultipartFormData(ct); got != want {
			t.Errorf("IsMultipartFormData(%q) = %v, want %v", ct, got, want)
		}
	}
}
