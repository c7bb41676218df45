package nuvera

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startRedis runs a real redis-server on a free loopback port (no persistence) and returns its
// URL and a function stopping it (also run at the end of the test).
func startRedis(t *testing.T) (string, func()) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found: bash scripts/install-tools go installs it")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(stop)
	// Ready when it says so; its output is drained afterwards so it never blocks on a full pipe.
	ready := make(chan bool, 1)
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if strings.Contains(lines.Text(), "Ready to accept connections") {
				ready <- true
			}
		}
		close(ready)
	}()
	if !<-ready {
		t.Fatal("redis-server exited before accepting connections")
	}
	return fmt.Sprintf("redis://127.0.0.1:%d", port), stop
}

// Two verifiers (two server instances) sharing one Redis: a token accepted by one is a replay
// for the other; with Redis gone, requests are refused with 503, not accepted unchecked.
func TestSharedReplayCache(t *testing.T) {
	const apiKey = "nv_test_go_replay"
	url, stopRedis := startRedis(t)
	registry := writeRegistry(t, apiKey)
	shared := WithReplayCache(ReplayCache{URL: url, KeyPrefix: "go-test:", Timeout: 500 * time.Millisecond, MaxConnections: 4})
	first, err := NewVerifierFromRegistryFile(registry, shared)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := NewVerifierFromRegistryFile(registry, shared)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
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
	if _, err := first.VerifyRequest("POST", "/api/v1/customers", header, body); err != nil {
		t.Fatalf("first instance: %v", err)
	}
	_, err = second.VerifyRequest("POST", "/api/v1/customers", header, body)
	if e := wantCode(t, err, CodeAuthReplayedJTI); e.HTTPStatus != 401 {
		t.Errorf("replay to the second instance: %+v", e)
	}
	// A fresh token is accepted by the second instance: the store is really consulted per jti.
	signed, err = signer.Sign("POST", "https://api.nuvera.test/api/v1/customers", body)
	if err != nil {
		t.Fatal(err)
	}
	header = signed.Headers()
	header.Set("Content-Type", "application/json")
	if _, err := second.VerifyRequest("POST", "/api/v1/customers", header, body); err != nil {
		t.Fatalf("second instance, fresh token: %v", err)
	}

	stopRedis()
	signed, err = signer.Sign("POST", "https://api.nuvera.test/api/v1/customers", body)
	if err != nil {
		t.Fatal(err)
	}
	header = signed.Headers()
	header.Set("Content-Type", "application/json")
	_, err = first.VerifyRequest("POST", "/api/v1/customers", header, body)
	if e := wantCode(t, err, CodeAuthReplayCacheUnavailable); e.HTTPStatus != 503 {
		t.Errorf("Redis stopped: %+v", e)
	}
}

// Options are checked when the verifier is made, by the core; the password is never shown.
func TestReplayCacheOptionsRefused(t *testing.T) {
	registry := writeRegistry(t, "nv_test_go_replay")
	for _, rc := range []ReplayCache{
		{URL: "http://user:secret-pass@cache:6379"},
		{URL: "redis://:secret-pass@cache:6379", Timeout: time.Minute},
		{URL: "redis://:secret-pass@cache:6379", Timeout: -time.Second},
		{URL: "redis://:secret-pass@cache:6379", MaxConnections: 5000},
	} {
		_, err := NewVerifierFromRegistryFile(registry, WithReplayCache(rc))
		e := wantCode(t, err, CodeInvalidArgument)
		if e != nil && strings.Contains(e.Message, "secret-pass") {
			t.Errorf("%+v: the message shows the password: %s", rc, e.Message)
		}
	}
}
