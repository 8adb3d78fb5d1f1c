package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests misbehave, for tests of retries, timeouts,
// lost and broken responses.
//
// Which requests: those of Route, and when AppID is set only those whose
// appId path parameter is AppID. Of these, the first After pass untouched,
// and the next Count are faulted.
//
// What happens to a faulted request: first Delay, if any; then at most one
// outcome (InjectFault panics when a fault sets more than one):
//
//   - Status: the request is not applied; the client gets this status.
//   - DropAfterApply: the request is applied; the connection is closed
//     without a response.
//   - ApplyThenStatus: the request is applied; the client gets this status
//     instead of the real answer.
//   - ApplyThenHang: the request is applied; the real answer is held back
//     this long.
//   - ApplyThenBody: the request is applied; the client gets the real status
//     and headers with a broken body.
//
// No outcome (Delay only) handles the request normally after the delay.
// Code, Message and RetryAfter shape the answer of Status and ApplyThenStatus
// and are ignored otherwise. "Applied" means handled as without the fault,
// whatever the real answer was (a rejected request changes nothing).
type Fault struct {
	Route string // one of the Route constants
	// AppID, when set, limits the fault to requests whose appId path
	// parameter equals it (case-insensitively); other apps' requests on
	// Route pass untouched and are not counted by After. Only for routes
	// with {appId}.
	AppID string
	// After is how many matching requests pass untouched before the fault
	// fires: it fires from the (After+1)-th matching request seen since
	// InjectFault, whether or not another fault answered the earlier ones.
	After int
	Count int // how many matching requests are faulted (0 => 1)

	Status        int           // HTTP status to answer with, without applying the request (body in PipesHub's envelope)
	Code, Message string        // envelope of Status and ApplyThenStatus; defaults from the status
	RetryAfter    time.Duration // sets Retry-After (and the envelope's retryAfter on 429) for Status and ApplyThenStatus
	Delay         time.Duration // sleep before anything else (honours request cancellation: nothing is applied then)

	DropAfterApply bool // apply the request, then close the connection without a response (lost response)
	// ApplyThenStatus applies the request, discards the real answer and
	// answers with this status instead, in PipesHub's envelope (e.g. 500
	// INTERNAL_ERROR "An unexpected error occurred", 503
	// HTTP_SERVICE_UNAVAILABLE "Service Unavailable").
	ApplyThenStatus int
	// ApplyThenHang applies the request, then holds the real answer this
	// long before sending it (a slow answer after the write). When the
	// client hangs up or the server closes the connection meanwhile, the
	// wait ends and nothing is sent; the change stays applied. A very large
	// value is a hang forever.
	ApplyThenHang time.Duration
	// ApplyThenBody applies the request and sends the real status and
	// headers with a broken body.
	ApplyThenBody BodyFault
}

// BodyFault is how ApplyThenBody breaks a response body.
type BodyFault int

const (
	// BodyIntact leaves the body alone (no body fault).
	BodyIntact BodyFault = iota
	// BodyTruncated sends the real headers, Content-Length included, and
	// the first half of the real body, then closes the connection: the
	// client reads an unexpected EOF.
	BodyTruncated
	// BodyMalformed sends a complete response whose body is the first half
	// of the real one (with a matching Content-Length), so it is not valid
	// JSON: for example {"message":"OAuth app created successfully","app":{"id":"… cut there.
	BodyMalformed
)

func (b BodyFault) String() string {
	switch b {
	case BodyIntact:
		return "BodyIntact"
	case BodyTruncated:
		return "BodyTruncated"
	case BodyMalformed:
		return "BodyMalformed"
	}
	return "BodyFault(" + strconv.Itoa(int(b)) + ")"
}

// check reports a fault that cannot do what it says.
func (f *Fault) check() error {
	outcomes := 0
	for _, set := range []bool{f.Status != 0, f.DropAfterApply, f.ApplyThenStatus != 0, f.ApplyThenHang != 0, f.ApplyThenBody != BodyIntact} {
		if set {
			outcomes++
		}
	}
	switch {
	case outcomes > 1:
		return fmt.Errorf("sets %d of Status, DropAfterApply, ApplyThenStatus, ApplyThenHang and ApplyThenBody; at most one is allowed", outcomes)
	case f.AppID != "" && !strings.Contains(f.Route, "{appId}"): // the Route constants spell out their parameter
		return fmt.Errorf("AppID is set but route %q has no appId parameter", f.Route)
	case f.After < 0:
		return fmt.Errorf("fault field After is negative (%d)", f.After)
	case f.ApplyThenHang < 0:
		return fmt.Errorf("ApplyThenHang is negative (%v)", f.ApplyThenHang)
	case f.ApplyThenBody < BodyIntact || f.ApplyThenBody > BodyMalformed:
		return fmt.Errorf("unknown ApplyThenBody %v", f.ApplyThenBody)
	}
	return nil
}

// InjectFault queues a fault. When several faults are ready to fire on the
// same request, the one injected first answers it and the others wait for
// the next matching request. It panics when the fault is inconsistent (see
// Fault), which is a bug in the test.
func (e *Emulator) InjectFault(f Fault) {
	if err := f.check(); err != nil {
		panic(fmt.Sprintf("emulator: Fault on %q: %v", f.Route, err))
	}
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
	return maps.Clone(e.calls)
}

// ResetCalls sets every counter back to zero.
func (e *Emulator) ResetCalls() {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.calls = map[string]int{}
}

// countAndTakeFault counts a request of route (for the app appID, "" on
// routes without one) and returns the fault it triggers, if any. Every
// queued fault matching the request counts it towards its After; the first
// one whose After is used up fires.
func (e *Emulator) countAndTakeFault(route, appID string) *Fault {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.calls[route]++
	var taken *Fault
	kept := e.faults[:0]
	for _, f := range e.faults {
		switch {
		case f.Route != route || (f.AppID != "" && !strings.EqualFold(f.AppID, appID)):
		case f.After > 0:
			f.After-- // the queued copy counts down the requests to let through
		case taken == nil:
			copied := *f
			taken = &copied
			if f.Count--; f.Count == 0 {
				continue
			}
		}
		kept = append(kept, f)
	}
	clear(e.faults[len(kept):])
	e.faults = kept
	return taken
}

// serveFault plays a fault: it waits, then plays its outcome, or handles
// the request normally when it has none.
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
		writeFaultStatus(w, f, f.Status)
	case f.DropAfterApply:
		handle(&recorder{header: http.Header{}}, r)
		dropConnection(w)
	case f.ApplyThenStatus != 0:
		handle(&recorder{header: http.Header{}}, r)
		writeFaultStatus(w, f, f.ApplyThenStatus)
	case f.ApplyThenHang > 0:
		rec := &recorder{header: http.Header{}}
		handle(rec, r)
		// As for Delay: a body read to its end lets the server notice a
		// client that hangs up. The handler may have left it unread.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBodyBytes+1))
		t := time.NewTimer(f.ApplyThenHang)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			dropConnection(w)
			return
		case <-t.C:
		}
		rec.replay(w, rec.body.Bytes())
	case f.ApplyThenBody != BodyIntact:
		rec := &recorder{header: http.Header{}}
		handle(rec, r)
		serveBrokenBody(w, rec, f.ApplyThenBody)
	default:
		handle(w, r)
	}
}

// writeFaultStatus answers with status in PipesHub's envelope, with the
// fault's code, message and Retry-After.
func writeFaultStatus(w http.ResponseWriter, f *Fault, status int) {
	apiErr := newError(status, f.Code, f.Message)
	if apiErr.code == "" {
		apiErr.code = defaultCode(status)
	}
	if apiErr.message == "" {
		apiErr.message = defaultMessage(status)
	}
	if f.RetryAfter > 0 {
		secs := int(math.Ceil(f.RetryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		apiErr.retryAfter = &secs
	}
	writeError(w, apiErr)
}

// serveBrokenBody sends a recorded answer with its body broken as b says.
func serveBrokenBody(w http.ResponseWriter, rec *recorder, b BodyFault) {
	body := rec.body.Bytes()
	half := body[:len(body)/2]
	if b == BodyMalformed {
		if json.Valid(half) {
			// Too short to break by halving (never the case for PipesHub's
			// JSON objects): an unfinished object is never valid.
			half = []byte(`{"message":`)
		}
		rec.header.Set("Content-Length", strconv.Itoa(len(half)))
		rec.replay(w, half)
		return
	}
	// BodyTruncated: the headers promise the whole body, half comes, and
	// the connection ends.
	rec.header.Set("Content-Length", strconv.Itoa(len(body)))
	rec.replay(w, half)
	if err := http.NewResponseController(w).Flush(); err != nil {
		panic(http.ErrAbortHandler)
	}
	dropConnection(w)
}

// dropConnection closes the client's connection without writing anything
// more, so the client sees its request vanish (EOF) although it was applied.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked; aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// recorder keeps the answer of a request applied under a fault, which then
// decides what the client gets of it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(b)
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

// replay sends the recorded status and headers with body.
func (rec *recorder) replay(w http.ResponseWriter, body []byte) {
	for k, vs := range rec.header {
		w.Header()[k] = vs
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
