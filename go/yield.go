package nuvera

import (
	"runtime"
	"sync/atomic"
)

// signCalls counts signatures process-wide, for afterSignature.
var signCalls atomic.Uint64

// yieldEvery is how many signatures pass between two yields.
const yieldEvery = 8

// afterSignature yields the processor after every yieldEvery-th signature. Why: a signature is
// one cgo call of about 200 µs, and a goroutine that signs back to back never passes through
// the scheduler. After 10 ms without one the runtime treats it as long-running, and its
// monitor thread then takes the goroutine's P away during every later cgo call and hands it to
// another thread (measured on 2 cores, idle: about 8,000 context switches a second, and 258 µs
// of process CPU per signature against 223 µs with this yield). A yield every 8 signatures
// (about 1.7 ms of work) keeps the goroutine an ordinary one; a yield after every signature
// costs more than it saves, because each wakes an idle thread. A goroutine that blocks on I/O
// between signatures (a server) passes through the scheduler anyway.
func afterSignature() {
	if signCalls.Add(1)%yieldEvery == 0 {
		runtime.Gosched()
	}
}
