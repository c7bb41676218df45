package nuvera_test

import (
	"bytes"
	"fmt"
	"log"
	"net/http"

	nuvera "github.com/nuvera-global/nuvera-signing/go"
)

// Signing a request by hand; iat and jti are pinned here only to reproduce the contract's first
// test vector (testdata/vectors/signing-vectors.json).
func ExampleSigner_Sign() {
	key, err := nuvera.LoadPrivateKey("../testdata/keys/test-rsa2048-pkcs8.pem", nil)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := nuvera.NewSigner(key, "nv_live_3f9a2c7d1e")
	if err != nil {
		log.Fatal(err)
	}
	body := []byte(`{"companyName":"Acme Imports","registrationNumber":"ACME-123","countryOfIncorporationId":"SG","businessIndustryId":"424350","documentIds":[],"persons":[],"legalEntityShareholders":[],"isDraft":true,"currentStep":1}`)
	signed, err := signer.Sign("POST", "https://api.nuvera.global/api/v1/customers", body,
		nuvera.WithIssuedAt(1767225600), nuvera.WithJTI("3b241101-e2bb-4255-8caf-4136c566a962"))
	if err != nil {
		log.Fatal(err)
	}
	claims := signed.Claims()
	fmt.Println(claims.URI, claims.BodyHash, claims.Exp-claims.Iat)
	// Output: /api/v1/customers 6c7de2226982c7ffbb952160e2f65454f3b3a5fd43d15c725fe47f866037b29e 55
}

// Every request through the client is signed; redirects, retries (opt-in) and clock correction
// follow SIGNING.md §8.
func ExampleTransport() {
	key, err := nuvera.LoadPrivateKey("private-key.pem", nil)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := nuvera.NewSigner(key, "nv_live_…")
	if err != nil {
		log.Fatal(err)
	}
	policy := nuvera.DefaultClientPolicy()
	retry := nuvera.DefaultRetryPolicy()
	policy.Retry = &retry
	client := &http.Client{Transport: &nuvera.Transport{Signer: signer, Policy: &policy}}
	resp, err := client.Post("https://api.nuvera.global/api/v1/customers", "application/json",
		bytes.NewReader([]byte(`{"companyName":"Acme"}`)))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
}
