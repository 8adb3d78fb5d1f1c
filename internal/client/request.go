package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// This file is the whole path of one API call, from call to answer: send
// runs the attempts in one loop, and for each one decides, in this order,
// to pace (pacing.go), to send, to classify what came back, and to retry,
// wait or stop. The loop is written by hand because no retrying client
// expresses its rules: a budget per kind of failure, a body that must
// decode before an answer counts, and a caller whose interrupt lets the
// attempt on the wire finish but starts nothing new. go-retryablehttp
// still classifies transport errors and computes the exponential step.

// request is one logical API call; it may take several attempts.
type request struct {
	method string
	path   string // relative to the base URL, e.g. /oauth-clients
	query  url.Values
	body   []byte     // JSON; nil for none
	form   url.Values // a form body instead (the /oauth2 endpoints)
	retry  retryClass
	// basicUser/basicPass, when basicUser is set, replace the bearer token
	// (client_secret_basic on the token endpoint).
	basicUser, basicPass string
	// anonymous requests carry no Authorization header: the OAuth client
	// authenticates in the body, and the bearer token has no business there.
	anonymous bool
	// secrets are scrubbed from any server message copied into an error, on
	// top of the bearer token.
	secrets []string
	// invalid is why the request must not be sent (see appRequest).
	invalid error
}

// retryClass decides which failures a request may be retried on. The zero
// value is the cautious one, so that an endpoint added without thought is
// never repeated after it may have been applied.
type retryClass int

const (
	// notRepeatable requests (create, token) are retried only when the server
	// certainly did not act: a 429, or a request that never reached it.
	notRepeatable retryClass = iota
	// repeatable requests (GET, PUT, DELETE, suspend, activate,
	// regenerate-secret, revoke-all, revoke) are retried on 429, 5xx, broken
	// answers and connection errors: repeating them cannot create a second
	// object, and the callers of suspend and activate confirm an "already"
	// answer.
	repeatable
)

// The budgets of one request. Config.MaxRetries bounds every retry but the
// waits for a 429, which the operation's deadline bounds instead (a rate
// limit is the server saying when, not that it failed). Two kinds of
// failure have a smaller budget of their own within it.
const (
	// maxDialRetries bounds the retries of a connection that could not be
	// made (refused, DNS): a server that is down fails the run within
	// seconds, while a restart that takes a moment is still waited for.
	maxDialRetries = 2
	// maxSilentRetries bounds the retries of an attempt that got no answer
	// within the attempt timeout although the connection was accepted: a
	// server that hangs fails a read in well under a minute.
	maxSilentRetries = 1
)

// maxRetryAfter caps a server-provided wait so that a garbage header cannot
// park a request for days; the context deadline still applies below it.
const maxRetryAfter = time.Hour

// maxResponseBytes bounds a response body read into memory.
const maxResponseBytes = 16 << 20

// errReadingResponse marks a success whose body could not be read to its end.
var errReadingResponse = errors.New("reading the response")

// failure is what one attempt came to, when it was not a usable answer.
type failure int

const (
	final       failure = iota // an answer or an error that no retry changes
	rateLimited                // 429
	serverError                // 500, 502, 503, 504
	broken                     // a 2xx whose body is cut off or does not decode
	dialFailed                 // no connection: the request never left
	silent                     // connected, but no answer within the attempt timeout
	lost                       // the connection broke after the request was written
)

// outcome is one attempt's result.
type outcome struct {
	status int
	err    error
	kind   failure
	// reached is set when the attempt may have reached PipesHub and been
	// applied; header holds the answer's headers, when one came.
	reached bool
	header  http.Header
}

// fetch calls r and returns its 2xx JSON answer decoded.
func fetch[T any](ctx context.Context, c *Client, r request) (*T, error) {
	var out T
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// call performs r, the attempt loop, and decodes a 2xx JSON body into out;
// a nil out ignores the body (delete and revoke-all answer only a message),
// and an answer that decodes but lacks what its call returns (checkedAnswer)
// is a *DecodeError. Errors are *APIError, *OAuthError, *DecodeError or
// *RequestError.
func (c *Client) call(ctx context.Context, r request, out any) error {
	if r.invalid != nil {
		return r.invalid
	}
	// A write's attempt runs on wire: after an interrupt (ctx cancelled) the
	// attempt on the wire may finish, for its answer (a one-time secret) to
	// reach state; ctx itself decides that nothing new starts.
	wire, onWire := ctx, &atomic.Bool{}
	if r.method != http.MethodGet {
		var cancel context.CancelFunc
		wire, cancel = withInterruptGrace(ctx, onWire, c.interruptGrace)
		defer cancel()
	}
	jitter := rand.Float64() // one per request: its waits spread from other requests'
	spent := map[failure]int{}
	retries, anyReached := 0, false
	// stopped is the error of a request whose context ended between attempts
	// (wire learns of an interrupt only asynchronously): nothing new starts.
	stopped := func() error {
		return &RequestError{Method: r.method, Path: r.path, Sent: anyReached, Err: context.Cause(ctx)}
	}
	for n := 1; ; n++ {
		if ctx.Err() != nil {
			return stopped()
		}
		o := c.attempt(ctx, wire, onWire, &r, n, out)
		anyReached = anyReached || o.reached
		if o.kind == final {
			return gaveUp(o, anyReached, 0)
		}
		if !c.mayRetry(ctx, &r, o, spent, retries) {
			return gaveUp(o, anyReached, 0)
		}
		wait := retryWait(o, c.waitMin, c.waitMax, spent[o.kind], jitter)
		fields := map[string]any{"method": r.method, "path": r.path, "attempt": n, "wait_ms": wait.Milliseconds()}
		if o.status != 0 {
			fields["status"] = o.status
		} else {
			fields["error"] = o.err.Error()
		}
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			c.logger.Warn(ctx, "PipesHub API request not retried: the wait would pass the deadline", fields)
			return gaveUp(o, anyReached, wait)
		}
		c.logger.Warn(ctx, "retrying PipesHub API request", fields)
		spent[o.kind]++
		if o.kind != rateLimited || !hasDeadline(ctx) {
			retries++
		}
		if !sleep(ctx, wait) {
			return stopped()
		}
	}
}

// mayRetry is the policy: by kind of failure, the request's retry class,
// and what is left of its budgets. Nothing new starts once ctx has ended.
func (c *Client) mayRetry(ctx context.Context, r *request, o outcome, spent map[failure]int, retries int) bool {
	if ctx.Err() != nil {
		return false
	}
	if o.kind == rateLimited && hasDeadline(ctx) {
		return c.maxRetries > 0 // waited out within the deadline; 0 still means no retry at all
	}
	if retries >= c.maxRetries {
		return false
	}
	switch o.kind {
	case rateLimited, dialFailed:
		// The server did not act: any request may be sent again.
		return o.kind != dialFailed || spent[dialFailed] < maxDialRetries
	case silent:
		return spent[silent] < maxSilentRetries && (r.retry == repeatable || !o.reached)
	case serverError, broken, lost:
		return r.retry == repeatable || !o.reached
	}
	return false
}

// gaveUp is the error of a request that stops after o: o's own, marked sent
// when any attempt may have reached PipesHub, with the wait that would have
// passed the deadline.
func gaveUp(o outcome, anyReached bool, wait time.Duration) error {
	var apiErr *APIError
	var reqErr *RequestError
	switch {
	case errors.As(o.err, &apiErr):
		if apiErr.RetryAfter == 0 {
			apiErr.RetryAfter = wait
		}
	case errors.As(o.err, &reqErr):
		reqErr.Sent = reqErr.Sent || anyReached
		if reqErr.RetryAfter == 0 {
			reqErr.RetryAfter = wait
		}
	}
	return o.err
}

// attempt paces, sends and classifies one attempt of r. ctx is the
// caller's (pacing waits on it), wire the context the request is sent with.
func (c *Client) attempt(ctx, wire context.Context, onWire *atomic.Bool, r *request, n int, out any) outcome {
	fields := map[string]any{"method": r.method, "path": r.path, "attempt": n}
	tk, err := c.pacer.wait(ctx, bucketFor(r.path))
	if err != nil {
		return outcome{err: &RequestError{Method: r.method, Path: r.path, Err: err}}
	}
	var connected atomic.Bool
	onWire.Store(false)
	wire = httptrace.WithClientTrace(wire, &httptrace.ClientTrace{
		GotConn:      func(httptrace.GotConnInfo) { connected.Store(true) },
		WroteRequest: func(httptrace.WroteRequestInfo) { onWire.Store(true) },
	})
	req, err := c.newHTTPRequest(wire, r)
	if err != nil {
		c.pacer.release(tk, true)
		return outcome{err: fmt.Errorf("PipesHub API: %s %s: building the request: %w", r.method, r.path, err)}
	}
	c.logger.Debug(ctx, "PipesHub API request", fields)
	started := time.Now()
	resp, err := c.httpClient.Do(req)
	if err != nil {
		c.pacer.release(tk, neverReachedServer(err))
		return c.transportFailure(ctx, r, err, onWire.Load(), connected.Load())
	}
	received := time.Now()
	c.pacer.observe(tk, resp, started, received)
	c.clock.observe(resp.Header, started, received)
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	_ = resp.Body.Close()
	fields["status"] = resp.StatusCode
	fields["duration_ms"] = time.Since(started).Milliseconds()
	if v := resp.Header.Get("RateLimit-Remaining"); v != "" {
		fields["ratelimit_remaining"] = v
	}
	c.logger.Debug(ctx, "PipesHub API response", fields)

	o := outcome{status: resp.StatusCode, reached: true, header: resp.Header}
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		secrets := append([]string{c.bearerToken}, r.secrets...)
		o.err = decodeErrorResponse(r.method, r.path, resp.StatusCode, resp.Header, data, r.path == tokenPath || r.path == revokePath, secrets)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			o.kind, o.reached = rateLimited, false // refused before it was acted on
		case retryableStatus(resp.StatusCode):
			o.kind = serverError
		}
	case readErr != nil:
		// The status line arrived, so the server acted on the request.
		o.kind = broken
		o.err = &RequestError{Method: r.method, Path: r.path, Sent: true, Err: fmt.Errorf("%w: %w", errReadingResponse, unwrapURLError(readErr))}
	case out != nil:
		o.err = decodeInto(data, out)
		var missing *missingError
		switch {
		case errors.As(o.err, &missing):
			o.err = &DecodeError{Method: r.method, Path: r.path, StatusCode: resp.StatusCode, Err: errors.New(missing.what)}
		case o.err != nil:
			o.kind = broken
			o.err = &DecodeError{Method: r.method, Path: r.path, StatusCode: resp.StatusCode, Err: o.err}
		}
	}
	return o
}

// transportFailure classifies an attempt that got no answer.
func (c *Client) transportFailure(ctx context.Context, r *request, err error, written, connected bool) outcome {
	err = unwrapURLError(err)
	reached := written || !neverReachedServer(err)
	// A context that ended before the request was written stopped it on our
	// side: PipesHub never read a whole request.
	if !written && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		reached = false
	}
	o := outcome{err: &RequestError{Method: r.method, Path: r.path, Sent: reached, Err: err}, reached: reached}
	var netErr net.Error
	switch {
	case ctx.Err() != nil || pastDeadline(ctx):
		// The caller's interrupt or deadline (whose timer may fire on the
		// wire's copy of ctx first): final.
	case neverReachedServer(err):
		o.kind = dialFailed
	case connected && errors.As(err, &netErr) && netErr.Timeout():
		o.kind = silent
		o.err = &RequestError{Method: r.method, Path: r.path, Sent: reached, Err: fmt.Errorf(
			"PipesHub accepted the connection and sent no answer within %s (the client's attempt timeout)", c.httpClient.Timeout)}
	default:
		if retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err); retry {
			o.kind = lost // certificate, scheme and header errors are final
		}
	}
	return o
}

// newHTTPRequest builds the HTTP request of one attempt.
func (c *Client) newHTTPRequest(ctx context.Context, r *request) (*http.Request, error) {
	target := c.baseURL + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	contentType := "application/json"
	switch {
	case r.form != nil:
		body, contentType = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.body != nil:
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	switch {
	case r.anonymous:
	case r.basicUser != "":
		req.SetBasicAuth(r.basicUser, r.basicPass)
	case c.bearerToken != "":
		req.Header.Set("Authorization", "Bearer "+c.bearerToken)
	}
	return req, nil
}

// retryWait is the wait before the retry after o: what the server asked
// for, else the exponential step of the retries of o's kind so far.
func retryWait(o outcome, waitMin, waitMax time.Duration, spent int, jitter float64) time.Duration {
	if o.header != nil {
		if wait, ok := retryAfterFromHeader(o.header, o.status, time.Now()); ok {
			return wait
		}
	}
	return exponentialBackoff(waitMin, waitMax, spent, jitter)
}

// pastDeadline reports whether ctx's deadline has come.
func pastDeadline(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
}

func hasDeadline(ctx context.Context) bool {
	_, ok := ctx.Deadline()
	return ok
}

// sleep waits d, and reports false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// checkedAnswer is an answer that can lack what its call returns (the app,
// a secret): missing says what, "" when nothing.
type checkedAnswer interface{ missing() string }

// missingError is a decoded answer that lacks what its call returns.
type missingError struct{ what string }

func (e *missingError) Error() string { return e.what }

// ownDecoder is an answer that plain JSON decoding would get wrong (the
// scopes, whose category order a map loses); its errors quote no body.
type ownDecoder interface{ decodeAnswer(data []byte) error }

// decodeInto decodes data into a fresh value of out's type and, only when
// that succeeds and nothing is missing, stores it in out: a broken answer
// leaves nothing behind for a later attempt to pass off as its own.
func decodeInto(data []byte, out any) error {
	fresh := reflect.New(reflect.TypeOf(out).Elem())
	if err := decodeAnswer(data, fresh.Interface()); err != nil {
		return err
	}
	if checked, ok := fresh.Interface().(checkedAnswer); ok {
		if what := checked.missing(); what != "" {
			return &missingError{what}
		}
	}
	reflect.ValueOf(out).Elem().Set(fresh.Elem())
	return nil
}

func decodeAnswer(data []byte, out any) error {
	if d, ok := out.(ownDecoder); ok {
		return d.decodeAnswer(data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return jsonProblem(err)
	}
	return nil
}

// jsonProblem describes a decoding failure without quoting the body.
func jsonProblem(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		return fmt.Errorf("field %q is a JSON %s, expected %s", typeErr.Field, typeErr.Value, typeErr.Type)
	}
	return errors.New("not the expected JSON")
}

// retryableStatus reports whether a repeatable request may be repeated after
// status. PipesHub answers 500 for transient database errors too.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfterFromHeader reads Retry-After (seconds or an HTTP date) and, on a
// 429 without it, RateLimit-Reset (seconds until the window resets).
func retryAfterFromHeader(h http.Header, status int, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
			if secs < 0 {
				return 0, false
			}
			return min(time.Duration(secs)*time.Second, maxRetryAfter), true
		}
		if at, err := http.ParseTime(v); err == nil {
			return min(max(at.Sub(now), 0), maxRetryAfter), true
		}
	}
	if status == http.StatusTooManyRequests {
		if secs, ok := headerSeconds(h, "RateLimit-Reset"); ok {
			return min(time.Duration(secs)*time.Second, maxRetryAfter), true
		}
	}
	return 0, false
}

// headerSeconds parses a non-negative integer header.
func headerSeconds(h http.Header, name string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(h.Get(name)), 10, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}

// exponentialBackoff puts "equal jitter" on go-retryablehttp's exponential
// step (waitMin*2^attempt, capped at waitMax): a wait in the step's upper
// half, jitter (in [0, 1)) placing it, so parallel clients spread out but
// still wait at least half the step.
func exponentialBackoff(waitMin, waitMax time.Duration, attempt int, jitter float64) time.Duration {
	half := retryablehttp.DefaultBackoff(waitMin, waitMax, attempt, nil) / 2
	return max(half+time.Duration(jitter*float64(half)), waitMin)
}

// neverReachedServer reports whether a transport error certainly happened
// before any byte of the request was sent: a dial or DNS failure, or a
// pacing wait that ended with the context.
func neverReachedServer(err error) bool {
	if errors.Is(err, errPacingWait) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// IsUnreachable reports whether err means that no PipesHub server could be
// reached at the configured address: the connection could not be made
// (refused: down, restarting or a wrong server URL) or the name not resolved.
func IsUnreachable(err error) bool {
	return !errors.Is(err, errPacingWait) && neverReachedServer(err)
}

// unwrapURLError drops *url.Error's "Get "<url>":" prefix: the method and path
// are in our own message already.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// DefaultInterruptGrace is how long a write already sent may still run after
// its context is cancelled (Terraform's Ctrl-C or StopProvider), so that its
// answer, and a one-time client secret in it, can be saved to state.
const DefaultInterruptGrace = 20 * time.Second

// followUpTimeout bounds the calls that find out what a write did after its
// own context ended (a lookup after a lost create answer).
const followUpTimeout = time.Minute

// withInterruptGrace derives the context a write is sent with from ctx:
// ctx's deadline still ends it at once (the user's timeout), and so does a
// cancellation while nothing is on the wire; a cancellation while the
// request is on the wire (onWire) lets it run for grace more, to receive its
// answer.
func withInterruptGrace(ctx context.Context, onWire *atomic.Bool, grace time.Duration) (context.Context, context.CancelFunc) {
	inner, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stopDeadline := context.CancelFunc(func() {})
	if deadline, ok := ctx.Deadline(); ok {
		inner, stopDeadline = context.WithDeadline(inner, deadline)
	}
	var graceTimer atomic.Pointer[time.Timer]
	stopWatching := context.AfterFunc(ctx, func() {
		cause := context.Cause(ctx)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || !onWire.Load() || grace <= 0 {
			cancel(cause)
			return
		}
		graceTimer.Store(time.AfterFunc(grace, func() { cancel(cause) }))
	})
	return inner, func() {
		stopWatching()
		if t := graceTimer.Load(); t != nil {
			t.Stop()
		}
		stopDeadline()
		cancel(context.Canceled)
	}
}

// followUpContext is a context for finding out what a write did: it keeps
// ctx's values but not its cancellation or deadline (both may be why the
// write's answer was lost), bounded by followUpTimeout.
func followUpContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), followUpTimeout)
}
