package emulator

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Fault makes the next matching requests misbehave, for tests of retries,
// timeouts and lost responses.
type Fault struct {
	Route          string        // one of the Route constants
	Count          int           // how many matching requests fail (0 => 1)
	Status         int           // HTTP status to answer with (body in PipesHub's envelope); 0 with DropAfterApply/Delay only
	Code, Message  string        // envelope; defaults from the status
	RetryAfter     time.Duration // sets Retry-After (and the envelope's retryAfter on 429)
	Delay          time.Duration // sleep before handling (honours request cancellation)
	DropAfterApply bool          // apply the request, then close the connection without a response (lost response)
}

// InjectFault queues a fault; faults on the same route apply in order.
func (e *Emulator) InjectFault(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.faults = append(e.faults, &f)
}

// ClearFaults drops every queued fault.
func (e *Emulator) ClearFaults() {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.faults = nil
}

// Calls is how many requests matched a route, failed ones included.
func (e *Emulator) Calls(route string) int {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	return e.calls[route]
}

// CallCounts is a copy of the counters of every route seen so far.
func (e *Emulator) CallCounts() map[string]int {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	out := make(map[string]int, len(e.calls))
	for k, v := range e.calls {
		out[k] = v
	}
	return out
}

// ResetCalls sets every counter back to zero.
func (e *Emulator) ResetCalls() {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.calls = map[string]int{}
}

// countAndTakeFault counts a request of route and returns the fault it
// triggers, if any.
func (e *Emulator) countAndTakeFault(route string) *Fault {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.calls[route]++
	for i, f := range e.faults {
		if f.Route != route {
			continue
		}
		taken := *f
		if f.Count--; f.Count == 0 {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
		}
		return &taken
	}
	return nil
}

// serveFault plays a fault: it waits, then answers with its status, or
// applies the request and drops the connection, or handles it normally.
func (e *Emulator) serveFault(w http.ResponseWriter, r *http.Request, f *Fault, handle http.HandlerFunc) {
	if f.Delay > 0 {
		// Reading the body to its end lets the server notice a client that
		// hangs up, which is what cancels the request context.
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
	switch {
	case f.Status != 0:
		apiErr := newError(f.Status, f.Code, f.Message)
		if apiErr.code == "" {
			apiErr.code = defaultCode(f.Status)
		}
		if apiErr.message == "" {
			apiErr.message = defaultMessage(f.Status)
		}
		if f.RetryAfter > 0 {
			secs := int(math.Ceil(f.RetryAfter.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			apiErr.retryAfter = &secs
		}
		writeError(w, apiErr)
	case f.DropAfterApply:
		rec := &discardWriter{header: http.Header{}}
		handle(rec, r)
		dropConnection(w)
	default:
		handle(w, r)
	}
}

// dropConnection closes the client's connection without writing anything,
// so the client sees its request vanish (EOF) although it was applied.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked; aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// discardWriter swallows the response of a request whose answer is lost.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
