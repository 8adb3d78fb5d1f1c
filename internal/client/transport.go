package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// errReadingResponse marks a success whose body could not be read to its end.
var errReadingResponse = errors.New("reading the response")

// maxResponseBytes bounds a response body read into memory.
const maxResponseBytes = 16 << 20

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

// send performs r with retries and pacing and returns the body of a 2xx
// response, or an *APIError, *OAuthError or *RequestError.
//
// go-retryablehttp runs the attempts; its hooks, methods of attempts below,
// carry what is ours: beforeAttempt takes a pacing slot, checkRetry is the
// policy by idempotency, backoff the wait, and the paced transport (pacing.go)
// sends the attempt. httptrace marks the moment a request is written, which
// decides whether it may have reached PipesHub.
func (c *Client) send(ctx context.Context, r request) ([]byte, int, error) {
	if r.invalid != nil {
		return nil, 0, r.invalid
	}
	a := &attempts{client: c, req: &r, jitter: rand.Float64()}
	if r.method != http.MethodGet {
		var cancel context.CancelFunc
		ctx, cancel = withInterruptGrace(ctx, &a.written, c.interruptGrace)
		defer cancel()
	}
	ctx = httptrace.WithClientTrace(context.WithValue(ctx, attemptsKey{}, a), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { a.written.Store(true) },
	})
	target := c.baseURL + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body any // a []byte, which go-retryablehttp replays on every attempt
	contentType := "application/json"
	switch {
	case r.form != nil:
		body, contentType = []byte(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.body != nil:
		body = r.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, 0, fmt.Errorf("PipesHub API: %s %s: building the request: %w", r.method, r.path, err)
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

	// The hooks hold this request's state, so each call gets its own
	// go-retryablehttp client around the shared http.Client (connection pool
	// and paced transport are built once in New).
	rc := &retryablehttp.Client{
		HTTPClient:      c.httpClient,
		RetryWaitMin:    c.waitMin,
		RetryWaitMax:    c.waitMax,
		RetryMax:        c.maxRetries,
		RequestLogHook:  a.beforeAttempt,
		ResponseLogHook: a.afterResponse,
		CheckRetry:      a.checkRetry,
		Backoff:         a.backoff,
		// The last response goes to decodeErrorResponse below, a transport
		// error to requestError, both unchanged.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	resp, err := rc.Do(req)
	if err != nil {
		return nil, 0, a.requestError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		// The status line arrived, so the server acted on the request.
		return nil, 0, &RequestError{Method: r.method, Path: r.path, Sent: true, Err: fmt.Errorf("%w: %w", errReadingResponse, unwrapURLError(err))}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		secrets := append([]string{c.bearerToken}, r.secrets...)
		err := decodeErrorResponse(r.method, r.path, resp.StatusCode, resp.Header, data, r.path == tokenPath || r.path == revokePath, secrets)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter == 0 {
			apiErr.RetryAfter = a.gaveUpWait
		}
		return nil, resp.StatusCode, err
	}
	return data, resp.StatusCode, nil
}

// attempts is the state of one request across its attempts.
type attempts struct {
	client *Client
	req    *request
	// jitter places every backoff wait of this request in the upper half of
	// its step; drawn once, so that checkRetry and backoff agree on the wait.
	jitter  float64
	attempt int // 0-based number of the current attempt
	started time.Time
	// written is true from the moment the current attempt's request was
	// written until a retry is decided: the request may have reached
	// PipesHub, and an interrupt lets it finish (withInterruptGrace).
	written atomic.Bool
	// earlierMayHaveApplied is true when an attempt before the current one
	// got no response or a 5xx, so it may have been applied.
	earlierMayHaveApplied bool
	// dialFailures counts attempts whose connection could not be made.
	dialFailures int
	// gaveUpWait is the wait that would have passed the context deadline.
	gaveUpWait time.Duration
	// ticket is the current attempt's pacing slot, or pacingErr why it got
	// none (the paced transport then fails the attempt unsent).
	ticket    *ticket
	pacingErr error
}

// beforeAttempt waits for a pacing slot. go-retryablehttp calls it before
// each attempt, outside http.Client.Timeout: the wait is bounded by the
// operation's context only, never by the per-attempt timeout.
func (a *attempts) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	a.attempt = attempt
	a.ticket, a.pacingErr = a.client.pacer.wait(req.Context(), bucketFor(a.req.path))
	a.started = time.Now()
	a.client.logger.Debug(req.Context(), "PipesHub API request", a.fields())
}

func (a *attempts) afterResponse(_ retryablehttp.Logger, resp *http.Response) {
	fields := a.fields()
	fields["status"] = resp.StatusCode
	fields["duration_ms"] = time.Since(a.started).Milliseconds()
	if v := resp.Header.Get("RateLimit-Remaining"); v != "" {
		fields["ratelimit_remaining"] = v
	}
	a.client.logger.Debug(resp.Request.Context(), "PipesHub API response", fields)
}

func (a *attempts) fields() map[string]any {
	return map[string]any{"method": a.req.method, "path": a.req.path, "attempt": a.attempt + 1}
}

// checkRetry applies the policy by idempotency (retry.go) and gives up at
// once when the wait would pass the context deadline. It never returns an
// error: (false, nil) hands the last response or transport error to send.
func (a *attempts) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if a.attempt >= a.client.maxRetries || ctx.Err() != nil {
		return false, nil //nolint:nilerr // an ended context stops the retries; send reports what the last attempt got
	}
	var retry, mayHaveApplied bool
	switch {
	case err != nil:
		reached := a.written.Load() || !neverReachedServer(err)
		retry = transportErrorRetryable(ctx, err) && (a.req.retry == repeatable || !reached)
		mayHaveApplied = reached
		if IsUnreachable(err) {
			a.dialFailures++
			retry = retry && a.dialFailures <= maxDialRetries
		}
	case a.req.retry == repeatable:
		retry = retryableStatus(resp.StatusCode)
		mayHaveApplied = resp.StatusCode >= 500
	default:
		retry = resp.StatusCode == http.StatusTooManyRequests
	}
	if !retry {
		return false, nil
	}
	wait := a.backoff(a.client.waitMin, a.client.waitMax, a.attempt, resp)
	fields := a.fields()
	if resp != nil {
		fields["status"] = resp.StatusCode
	} else {
		fields["error"] = unwrapURLError(err).Error()
	}
	fields["wait_ms"] = wait.Milliseconds()
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
		a.gaveUpWait = wait
		a.client.logger.Warn(ctx, "PipesHub API request not retried: the wait would pass the deadline", fields)
		return false, nil
	}
	a.earlierMayHaveApplied = a.earlierMayHaveApplied || mayHaveApplied
	a.written.Store(false)
	a.client.logger.Warn(ctx, "retrying PipesHub API request", fields)
	return true, nil
}

// backoff is the wait after attempt: what the server asked for
// (retryAfterFromHeader), else exponentialBackoff with this request's jitter.
func (a *attempts) backoff(waitMin, waitMax time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := retryAfterFromHeader(resp.Header, resp.StatusCode, time.Now()); ok {
			return wait
		}
	}
	return exponentialBackoff(waitMin, waitMax, attempt, a.jitter)
}

// requestError wraps an error from go-retryablehttp's Do: a transport error of
// the last attempt, or the context ending during a retry wait (the attempt
// before the wait is counted in earlierMayHaveApplied, and written is false).
func (a *attempts) requestError(err error) error {
	err = unwrapURLError(err)
	written := a.written.Load()
	// A context that ended before the request was written stopped it on our
	// side: PipesHub never read a whole request.
	stoppedUnwritten := !written && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
	sent := a.earlierMayHaveApplied || written || !neverReachedServer(err) && !stoppedUnwritten
	return &RequestError{Method: a.req.method, Path: a.req.path, Sent: sent, RetryAfter: a.gaveUpWait, Err: err}
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
