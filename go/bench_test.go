package nuvera

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/golang-jwt/jwt/v5"
)

// The workload of bindings/c/examples/core_sign_rate.rs (the Rust core called directly).
const (
	benchAPIKey = "nv_live_3f9a2c7d1e"
	benchURL    = "/api/v1/customers"
)

var benchBody = []byte(`{"companyName":"Acme Trading Ltd","country":"GB"}`)

// handClaims is what a partner writes by hand with golang-jwt: the contract's claims in order.
type handClaims struct {
	Iss      string `json:"iss"`
	Aud      string `json:"aud"`
	Sub      string `json:"sub"`
	Method   string `json:"method"`
	URI      string `json:"uri"`
	BodyHash string `json:"bodyHash"`
	Iat      int64  `json:"iat"`
	Exp      int64  `json:"exp"`
	Jti      string `json:"jti"`
}

func (c handClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Exp, 0)), nil
}
func (c handClaims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Iat, 0)), nil
}
func (c handClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c handClaims) GetIssuer() (string, error)              { return c.Iss, nil }
func (c handClaims) GetSubject() (string, error)             { return c.Sub, nil }
func (c handClaims) GetAudience() (jwt.ClaimStrings, error)  { return jwt.ClaimStrings{c.Aud}, nil }

// golangJWTSigner signs the same request with golang-jwt and a preloaded crypto/rsa key: body
// hash, a random UUID v4 jti, the claims and RS256 (the hand-written way this library replaces).
type golangJWTSigner struct{ key *rsa.PrivateKey }

func newGolangJWTSigner(tb testing.TB) golangJWTSigner {
	data, err := os.ReadFile(filepath.Join(testdata, "keys/test-rsa2048-pkcs8.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(data)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return golangJWTSigner{key.(*rsa.PrivateKey)}
}

func (g golangJWTSigner) sign(method, uri string, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	var id [16]byte
	_, _ = rand.Read(id[:])
	id[6], id[8] = id[6]&0x0f|0x40, id[8]&0x3f|0x80
	h := hex.EncodeToString(id[:])
	now := time.Now().Unix()
	claims := handClaims{"nuvera-api", "nuvera-rest-api", benchAPIKey, method, uri, hex.EncodeToString(sum[:]), now, now + 55,
		h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]}
	return jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(g.key)
}

// BenchmarkSign: ns per signature through this package and through golang-jwt.
func BenchmarkSign(b *testing.B) {
	signer, err := NewSigner(testKey(b), benchAPIKey)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("nuvera", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := signer.Sign("POST", benchURL, benchBody); err != nil {
				b.Fatal(err)
			}
		}
	})
	g := newGolangJWTSigner(b)
	b.Run("golang-jwt", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := g.sign("POST", benchURL, benchBody); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// processCPU is the CPU time of the whole process (Linux CLOCK_PROCESS_CPUTIME_ID): the signing
// goroutine's thread and every thread the Go runtime runs for it (its monitor, the threads a P
// is handed to), so the runtime's own cost of a cgo call is in the figure. core_sign_rate is a
// one-thread process, whose thread CPU time is its process CPU time. Robust when other processes
// share the cores, unlike wall time.
func processCPU() time.Duration {
	var ts syscall.Timespec
	const clockProcessCPUTimeID = 2
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		panic(errno)
	}
	return time.Duration(ts.Nano())
}

// rate runs sign for about secs and returns signs per second of process CPU time and of wall
// time. The goroutine is not locked to its thread: users' goroutines are not either.
func rate(secs float64, sign func() error) (cpu, wall float64, err error) {
	for warm := time.Now(); time.Since(warm) < 300*time.Millisecond; {
		if err := sign(); err != nil {
			return 0, 0, err
		}
	}
	start, cpuStart := time.Now(), processCPU()
	n := 0
	for time.Since(start).Seconds() < secs {
		if err := sign(); err != nil {
			return 0, 0, err
		}
		n++
	}
	return float64(n) / (processCPU() - cpuStart).Seconds(), float64(n) / time.Since(start).Seconds(), nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// BenchmarkSignVsRustCore compares, in one run of interleaved rounds, Signer.Sign with the Rust
// core called directly (bindings/c/examples/core_sign_rate, same key, API key, URL and body) and
// with golang-jwt. It reports signs per second of process CPU time (medians), the median of the
// per-round ratios to the Rust core, and nuvera/golang-jwt.
// Run it once per invocation:
//
//	go test -run '^$' -bench SignVsRustCore -benchtime 1x
//
// NUVERA_BENCH_SECONDS (default 2) per figure, NUVERA_BENCH_ROUNDS (default 5);
// NUVERA_CORE_SIGN_RATE is the Rust program (default ../target/release/examples/core_sign_rate).
func BenchmarkSignVsRustCore(b *testing.B) {
	rust := os.Getenv("NUVERA_CORE_SIGN_RATE")
	if rust == "" {
		rust = "../target/release/examples/core_sign_rate"
	}
	if _, err := os.Stat(rust); err != nil {
		b.Skipf("%s not built (cargo build --release -p nuvera-signing-c --example core_sign_rate)", rust)
	}
	secs, rounds := 2.0, 5
	if s, err := strconv.ParseFloat(os.Getenv("NUVERA_BENCH_SECONDS"), 64); err == nil {
		secs = s
	}
	if r, err := strconv.Atoi(os.Getenv("NUVERA_BENCH_ROUNDS")); err == nil {
		rounds = r
	}
	keyFile, _ := filepath.Abs(filepath.Join(testdata, "keys/test-rsa2048-pkcs8.pem"))
	signer, err := NewSigner(testKey(b), benchAPIKey)
	if err != nil {
		b.Fatal(err)
	}
	g := newGolangJWTSigner(b)
	var goCPU, rustCPU, jwtCPU, goWall, rustWall, jwtWall, ratioCPU, ratioWall []float64
	runGo := func() {
		c, w, err := rate(secs, func() error { _, err := signer.Sign("POST", benchURL, benchBody); return err })
		if err != nil {
			b.Fatal(err)
		}
		goCPU, goWall = append(goCPU, c), append(goWall, w)
	}
	runRust := func() {
		out, err := exec.Command(rust, keyFile, fmt.Sprint(secs)).Output()
		if err != nil {
			b.Fatalf("%s: %v", rust, err)
		}
		f := strings.Fields(string(out))
		rc, _ := strconv.ParseFloat(f[0], 64)
		rw, _ := strconv.ParseFloat(f[1], 64)
		rustCPU, rustWall = append(rustCPU, rc), append(rustWall, rw)
	}
	for i := 0; i < b.N*rounds; i++ {
		// Alternate the order, so neither side always runs first in a round.
		if i%2 == 0 {
			runGo()
			runRust()
		} else {
			runRust()
			runGo()
		}
		ratioCPU = append(ratioCPU, goCPU[i]/rustCPU[i])
		ratioWall = append(ratioWall, goWall[i]/rustWall[i])
		c, w, err := rate(secs, func() error { _, err := g.sign("POST", benchURL, benchBody); return err })
		if err != nil {
			b.Fatal(err)
		}
		jwtCPU, jwtWall = append(jwtCPU, c), append(jwtWall, w)
	}
	b.ReportMetric(median(goCPU), "nuvera-signs/cpu-s")
	b.ReportMetric(median(rustCPU), "rust-core-signs/cpu-s")
	b.ReportMetric(median(jwtCPU), "golang-jwt-signs/cpu-s")
	b.ReportMetric(median(ratioCPU), "nuvera/rust-core")
	b.ReportMetric(median(goCPU)/median(jwtCPU), "nuvera/golang-jwt")
	b.ReportMetric(median(ratioWall), "nuvera/rust-core-wall")
	b.ReportMetric(0, "ns/op")
	b.Logf("per round, signs per CPU second: nuvera %.0f, rust core %.0f, golang-jwt %.0f; nuvera/rust-core %.3f", goCPU, rustCPU, jwtCPU, ratioCPU)
	b.Logf("per round, signs per wall second: nuvera %.0f, rust core %.0f, golang-jwt %.0f; nuvera/rust-core %.3f", goWall, rustWall, jwtWall, ratioWall)
}
