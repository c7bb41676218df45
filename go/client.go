package nuvera

/*
#include <stdlib.h>
#include <stdbool.h>
#include "nuvera_signing.h"
*/
import "C"

import (
	"net/http"
	"strings"
	"time"
)

// RetryPolicy is the opt-in retry part of SIGNING.md §8. Zero fields take the core's defaults
// (see DefaultRetryPolicy): nil Statuses and Methods, 0 MaxAttempts, BaseDelay and MaxDelay.
type RetryPolicy struct {
	// Statuses retried; nil: 429, 502, 503, 504. A non-nil empty slice retries none.
	Statuses []int
	// Methods retried; nil: the idempotent ones (GET, HEAD, OPTIONS, TRACE, PUT, DELETE). Add
	// "POST" only for POSTs that are safe to repeat. A non-nil empty slice retries none.
	Methods []string
	// MaxAttempts is the number of sends of one request at most, the first included (default 3).
	MaxAttempts int
	// BaseDelay is the backoff base (default 200 ms): retry n waits a random fraction of
	// BaseDelay·2ⁿ, capped.
	BaseDelay time.Duration
	// MaxDelay caps every wait, Retry-After included (default 10 s).
	MaxDelay time.Duration
}

// ClientPolicy is SIGNING.md §8 for Transport and Exchange. DefaultClientPolicy gives the
// contract's defaults, and a nil *ClientPolicy means those; start from it, since a zero
// ClientPolicy follows no redirect and does not correct the clock.
type ClientPolicy struct {
	// MaxRedirects is the number of redirect hops followed (default 10); the next fails with
	// TOO_MANY_REDIRECTS. 0 follows none.
	MaxRedirects int
	// CorrectClock learns the clock offset from Date on AUTH_TOKEN_EXPIRED or
	// AUTH_TOKEN_NOT_YET_VALID and sends once more (default true).
	CorrectClock bool
	// Retry turns retries on; nil (the default) is off.
	Retry *RetryPolicy
}

// cPolicyDefaults is the core's default policy, as the C library fills it.
func cPolicyDefaults() C.nuvera_client_policy {
	var p C.nuvera_client_policy
	// Cannot fail: the pointer is valid.
	C.nuvera_client_policy_init(&p, nil)
	return p
}

// DefaultClientPolicy is the contract's default: 10 redirects, clock correction on, no retries.
func DefaultClientPolicy() ClientPolicy {
	p := cPolicyDefaults()
	return ClientPolicy{MaxRedirects: int(p.max_redirects), CorrectClock: bool(p.correct_clock)}
}

// DefaultRetryPolicy is the contract's retry defaults, spelled out (the lists stay nil, which
// means the default lists).
func DefaultRetryPolicy() RetryPolicy {
	p := cPolicyDefaults()
	return RetryPolicy{
		MaxAttempts: int(p.max_attempts),
		BaseDelay:   time.Duration(p.base_delay_ms) * time.Millisecond,
		MaxDelay:    time.Duration(p.max_delay_ms) * time.Millisecond,
	}
}

// cPolicy converts a policy; the returned function frees what it allocated. Values C cannot
// carry are clamped into ones the core refuses or treats alike (negative counts are 0).
func cPolicy(policy *ClientPolicy) (*C.nuvera_client_policy, func()) {
	if policy == nil {
		return nil, func() {}
	}
	p := cPolicyDefaults()
	p.max_redirects = C.uint32_t(clampU32(policy.MaxRedirects))
	p.correct_clock = C.bool(policy.CorrectClock)
	var frees []func()
	if r := policy.Retry; r != nil {
		p.retry = true
		if r.Statuses != nil {
			statuses := (*C.uint16_t)(C.malloc(C.size_t(2 * (len(r.Statuses) + 1))))
			list := unsafeSlice(statuses, len(r.Statuses))
			for i, s := range r.Statuses {
				if s < 0 || s > 65535 {
					s = 0 // not an HTTP status: never matches a response
				}
				list[i] = C.uint16_t(s)
			}
			p.retry_statuses = statuses
			p.retry_status_count = C.size_t(len(r.Statuses))
			frees = append(frees, func() { C.free(unsafePtr(statuses)) })
		}
		if r.Methods != nil {
			methods := cstr(strings.Join(r.Methods, ","))
			p.retry_methods = methods
			frees = append(frees, func() { free(methods) })
		}
		if r.MaxAttempts != 0 {
			p.max_attempts = C.uint32_t(clampU32(r.MaxAttempts))
		}
		if r.BaseDelay != 0 {
			p.base_delay_ms = C.uint64_t(r.BaseDelay.Milliseconds())
		}
		if r.MaxDelay != 0 {
			p.max_delay_ms = C.uint64_t(r.MaxDelay.Milliseconds())
		}
	}
	cp := (*C.nuvera_client_policy)(C.malloc(C.size_t(C.sizeof_nuvera_client_policy)))
	*cp = p
	return cp, func() {
		C.free(unsafePtr(cp))
		for _, f := range frees {
			f()
		}
	}
}

func clampU32(n int) int64 {
	if n < 0 {
		return 0
	}
	if int64(n) > 1<<32-1 {
		return 1<<32 - 1
	}
	return int64(n)
}

// Attempt is one send an exchange asks for.
type Attempt struct {
	// Method and URL to send and sign.
	Method, URL string
	// SendBody: send the caller's body; false: no body and no Content-Type/Content-Length.
	SendBody bool
	// Credentials: sign and send x-api-key and Authorization; false after a hop to another
	// origin.
	Credentials bool
}

// Action is what follows a response: Send (wait Delay, sign afresh, send Attempt), or, with
// Send false, hand the response to the caller.
type Action struct {
	Send    bool
	Attempt Attempt
	Delay   time.Duration
	// Reason is "redirect", "retry" or "clock-correction" for a Send.
	Reason string
}

// Response is what an exchange needs to know of a response.
type Response struct {
	Status int
	Header http.Header
	// Body is needed only for a 401 (the core reads its §6 code); up to MaxRefusalBody bytes.
	Body []byte
	// SentAt and ReceivedAt are the local times the request was sent and the response headers
	// arrived.
	SentAt, ReceivedAt time.Time
}

// MaxRefusalBody is the most body bytes of a response an Exchange reads.
func MaxRefusalBody() int { return int(C.nuvera_client_max_refusal_body()) }

// Exchange is one caller's request through redirects, retries and clock correction
// (SIGNING.md §8), decided by the core: an HTTP-client integration asks it what to do and
// carries out the answer. Transport is such an integration for net/http. Not for concurrent
// use: one Exchange per request.
type Exchange struct {
	h *handle[*C.nuvera_exchange]
}

// NewExchange starts an exchange for a request (method, absolute http/https URL, whether it has
// a body). signer may be nil (the exchange then keeps a clock offset of its own, from 0);
// given, a clock correction updates the signer's offset for all its later requests.
func NewExchange(policy *ClientPolicy, method, url string, hasBody bool, signer *Signer) (*Exchange, error) {
	cp, done := cPolicy(policy)
	defer done()
	texts, err := textArgs(textArg{"method", &method}, textArg{"url", &url})
	if err != nil {
		return nil, err
	}
	cm, cu := texts[0], texts[1]
	var out *C.nuvera_exchange
	start := func(s *C.nuvera_signer) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_exchange_new(cp, cm, cu, C.bool(hasBody), s, &out, &cerr), cerr, nil)
	}
	if signer == nil {
		err = start(nil)
	} else {
		err = signer.h.use(start)
	}
	if err != nil {
		return nil, err
	}
	return &Exchange{h: newHandle(out, "Exchange", func(p *C.nuvera_exchange) { C.nuvera_exchange_free(p) })}, nil
}

// Close frees the exchange now. Optional.
func (e *Exchange) Close() error {
	e.h.close()
	return nil
}

// SetJitter pins the backoff's random fractions (each in 0..1), used in order before the
// system's randomness: for tests only.
func (e *Exchange) SetJitter(fractions []float64) error {
	return e.h.useExclusive(func(p *C.nuvera_exchange) error {
		var ptr *C.double
		if len(fractions) > 0 {
			ptr = (*C.double)(unsafePtr(&fractions[0]))
		}
		var cerr *C.nuvera_error
		return check(C.nuvera_exchange_set_jitter(p, ptr, C.size_t(len(fractions)), &cerr), cerr, nil)
	})
}

func goAttempt(a C.nuvera_attempt) Attempt {
	return Attempt{Method: C.GoString(a.method), URL: C.GoString(a.url), SendBody: bool(a.send_body), Credentials: bool(a.credentials)}
}

// First is the first send: the caller's request.
func (e *Exchange) First() (Attempt, error) {
	var a Attempt
	err := e.h.useExclusive(func(p *C.nuvera_exchange) error {
		var out C.nuvera_attempt
		var cerr *C.nuvera_error
		if err := check(C.nuvera_exchange_first(p, &out, &cerr), cerr, nil); err != nil {
			return err
		}
		a = goAttempt(out)
		return nil
	})
	return a, err
}

// OnResponse decides what follows a response to the last send. A failure of the exchange
// (TOO_MANY_REDIRECTS, INSECURE_REDIRECT, CLOCK_SKEW_TOO_LARGE, …) is an *Error.
func (e *Exchange) OnResponse(r Response) (Action, error) {
	var act Action
	if r.Status < 0 || r.Status > 65535 {
		return act, &Error{Code: CodeInvalidArgument, Family: codeFamily(CodeInvalidArgument), Message: "the response status is not an HTTP status"}
	}
	hs := newCHeaders(r.Header)
	defer hs.free()
	err := e.h.useExclusive(func(p *C.nuvera_exchange) error {
		var out C.nuvera_action
		var cerr *C.nuvera_error
		status := st(C.nuvera_exchange_on_response(p, C.uint16_t(r.Status), hs.ptr(), hs.count(),
			bytesArg(r.Body), C.size_t(len(r.Body)), C.int64_t(r.SentAt.UnixMilli()), C.int64_t(r.ReceivedAt.UnixMilli()), &out, &cerr))
		if err := check(status, cerr, nil); err != nil {
			return err
		}
		if out.kind == C.NUVERA_ACTION_SEND {
			act = Action{Send: true, Attempt: goAttempt(out.attempt), Delay: time.Duration(out.delay_ms) * time.Millisecond, Reason: C.GoString(out.reason)}
		}
		return nil
	})
	return act, err
}

// ClockOffset is the clock offset in seconds the exchange reads and corrects (the signer's).
func (e *Exchange) ClockOffset() (int64, error) {
	var out C.int64_t
	err := e.h.use(func(p *C.nuvera_exchange) error {
		var cerr *C.nuvera_error
		return check(C.nuvera_exchange_clock_offset(p, &out, &cerr), cerr, nil)
	})
	return int64(out), err
}
