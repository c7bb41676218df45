package nuvera

import (
	"net/http"
	"testing"
	"time"
)

// clientCases is testdata/client-policy/cases.json: the §8 table every language runs.
type clientCases struct {
	Cases []struct {
		Name   string `json:"name"`
		Policy *struct {
			MaxRedirects *int  `json:"maxRedirects"`
			CorrectClock *bool `json:"correctClock"`
			Retry        *struct {
				Statuses    []int    `json:"statuses"`
				Methods     []string `json:"methods"`
				MaxAttempts *int     `json:"maxAttempts"`
				BaseDelayMs *int64   `json:"baseDelayMs"`
				MaxDelayMs  *int64   `json:"maxDelayMs"`
			} `json:"retry"`
		} `json:"policy"`
		ClockOffset int64     `json:"clockOffset"`
		Jitter      []float64 `json:"jitter"`
		Request     struct {
			Method  string `json:"method"`
			URL     string `json:"url"`
			HasBody bool   `json:"hasBody"`
		} `json:"request"`
		First struct {
			caseAttempt
			Fail string `json:"fail"`
		} `json:"first"`
		Steps []struct {
			Response struct {
				Status       int         `json:"status"`
				Headers      [][2]string `json:"headers"`
				Body         string      `json:"body"`
				SentAtMs     int64       `json:"sentAtMs"`
				ReceivedAtMs int64       `json:"receivedAtMs"`
			} `json:"response"`
			Expect struct {
				Action      string      `json:"action"`
				Reason      string      `json:"reason"`
				DelayMs     int64       `json:"delayMs"`
				Attempt     caseAttempt `json:"attempt"`
				Code        string      `json:"code"`
				ClockOffset int64       `json:"clockOffset"`
			} `json:"expect"`
		} `json:"steps"`
	} `json:"cases"`
}

type caseAttempt struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	SendBody    bool   `json:"sendBody"`
	Credentials bool   `json:"credentials"`
}

func (a caseAttempt) attempt() Attempt {
	return Attempt{Method: a.Method, URL: a.URL, SendBody: a.SendBody, Credentials: a.Credentials}
}

// Every case of the table through Exchange, the Go face of the C ABI's client policy.
func TestClientPolicyCases(t *testing.T) {
	var table clientCases
	readJSON(t, "client-policy/cases.json", &table)
	if len(table.Cases) == 0 {
		t.Fatal("no cases")
	}
	key := testKey(t)
	for _, c := range table.Cases {
		t.Run(c.Name, func(t *testing.T) {
			policy := DefaultClientPolicy()
			if p := c.Policy; p != nil {
				if p.MaxRedirects != nil {
					policy.MaxRedirects = *p.MaxRedirects
				}
				if p.CorrectClock != nil {
					policy.CorrectClock = *p.CorrectClock
				}
				if r := p.Retry; r != nil {
					retry := DefaultRetryPolicy()
					retry.Statuses, retry.Methods = r.Statuses, r.Methods
					if r.MaxAttempts != nil {
						retry.MaxAttempts = *r.MaxAttempts
					}
					if r.BaseDelayMs != nil {
						retry.BaseDelay = time.Duration(*r.BaseDelayMs) * time.Millisecond
					}
					if r.MaxDelayMs != nil {
						retry.MaxDelay = time.Duration(*r.MaxDelayMs) * time.Millisecond
					}
					policy.Retry = &retry
				}
			}
			signer, err := NewSigner(key, "nv_test_go_cases", WithClockOffset(c.ClockOffset))
			if err != nil {
				t.Fatal(err)
			}
			defer signer.Close()
			ex, err := NewExchange(&policy, c.Request.Method, c.Request.URL, c.Request.HasBody, signer)
			if c.First.Fail != "" {
				wantCode(t, err, c.First.Fail)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ex.Close()
			if c.Jitter != nil {
				if err := ex.SetJitter(c.Jitter); err != nil {
					t.Fatal(err)
				}
			}
			first, err := ex.First()
			if err != nil || first != c.First.attempt() {
				t.Fatalf("first = %+v, %v; want %+v", first, err, c.First.attempt())
			}
			for i, step := range c.Steps {
				header := http.Header{}
				for _, h := range step.Response.Headers {
					header.Add(h[0], h[1])
				}
				action, err := ex.OnResponse(Response{
					Status: step.Response.Status, Header: header, Body: []byte(step.Response.Body),
					SentAt: time.UnixMilli(step.Response.SentAtMs), ReceivedAt: time.UnixMilli(step.Response.ReceivedAtMs),
				})
				want := step.Expect
				switch want.Action {
				case "fail":
					wantCode(t, err, want.Code)
				case "done":
					if err != nil || action.Send {
						t.Fatalf("step %d: got %+v, %v; want done", i, action, err)
					}
				case "send":
					w := Action{Send: true, Attempt: want.Attempt.attempt(), Delay: time.Duration(want.DelayMs) * time.Millisecond, Reason: want.Reason}
					if err != nil || action != w {
						t.Fatalf("step %d: got %+v, %v; want %+v", i, action, err, w)
					}
				default:
					t.Fatalf("step %d: unknown action %q", i, want.Action)
				}
				// The correction lands in the signer, for its later requests.
				if got, err := signer.ClockOffset(); err != nil || got != want.ClockOffset {
					t.Errorf("step %d: signer's clock offset %d, %v; want %d", i, got, err, want.ClockOffset)
				}
				if got, _ := ex.ClockOffset(); got != want.ClockOffset {
					t.Errorf("step %d: exchange's clock offset %d; want %d", i, got, want.ClockOffset)
				}
			}
		})
	}
}
