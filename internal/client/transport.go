package client

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	body   []byte // nil for none
	// contentType of body; "" for JSON.
	contentType string
	retry       retryClass
	// basicUser/basicPass, when basicUser is set, replace the bearer token
	// (client_secret_basic on the token endpoint).
	basicUser, basicPass string
	// anonymous requests carry no Authorization header: the OAuth client
	// authenticates in the body, and the bearer token has no business there.
	anonymous bool
	// secrets are scrubbed from any server message copied into an error, on
	// top of the bearer token.
	secrets []string
}

// send performs r with retries and pacing and returns the body of a 2xx
// response, or an *APIError, *OAuthError or *RequestError.
func (c *Client) send(ctx context.Context, r request) ([]byte, int, error) {
	target := c.baseURL + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	a := &attempts{client: c, req: &r, bucket: bucketFor(r.path)}
	if r.method != http.MethodGet {
		var cancel context.CancelFunc
		ctx, cancel = withInterruptGrace(ctx, &a.inFlight, c.interruptGrace)
		defer cancel()
	}
	traced := httptrace.WithClientTrace(context.WithValue(ctx, attemptsKey{}, a), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) {
			a.wrote.Store(true)
			a.inFlight.Store(true)
		},
	})
	var body any
	if r.body != nil {
		body = r.body // a []byte, which go-retryablehttp replays on every attempt
	}
	req, err := retryablehttp.NewRequestWithContext(traced, r.method, target, body)
	if err != nil {
		return nil, 0, fmt.Errorf("PipesHub API: %s %s: building the request: %w", r.method, r.path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	switch {
	case r.anonymous:
	case r.basicUser != "":
		req.SetBasicAuth(r.basicUser, r.basicPass)
	case c.bearerToken != "":
		req.Header.Set("Authorization", "Bearer "+c.bearerToken)
	}

	// The retry policy and the deadline-aware wait depend on this request, so
	// each call gets its own go-retryablehttp client around the shared
	// http.Client (connection pool and paced transport are built once in New).
	rc := &retryablehttp.Client{
		HTTPClient:      c.httpClient,
		RetryWaitMin:    c.waitMin,
		RetryWaitMax:    c.waitMax,
		RetryMax:        c.maxRetries,
		RequestLogHook:  a.beforeAttempt,
		ResponseLogHook: a.afterResponse,
		CheckRetry:      a.checkRetry,
		Backoff:         a.backoff,
		ErrorHandler:    a.handOver,
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
		err := decodeErrorResponse(r.method, r.path, resp.StatusCode, resp.Header, data, r.path == tokenPath || r.path == revokePath, c.secretsFor(r))
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter == 0 {
			apiErr.RetryAfter = a.gaveUpWait
		}
		return nil, resp.StatusCode, err
	}
	return data, resp.StatusCode, nil
}

func (c *Client) secretsFor(r request) []string {
	return append([]string{c.bearerToken}, r.secrets...)
}

// attempts is the retry state of one request.
type attempts struct {
	client *Client
	req    *request
	// wrote is set by httptrace once the current attempt's request was written.
	wrote atomic.Bool
	// inFlight is true from the moment a request is written until its answer
	// is read or a retry is decided: the span an interrupt lets finish.
	inFlight atomic.Bool
	// dialFailures counts attempts whose connection could not be made.
	dialFailures int
	attempt      int // 0-based number of the current attempt
	started      time.Time
	// nextWait is the wait checkRetry chose, handed to go-retryablehttp by backoff.
	nextWait time.Duration
	// gaveUpWait is the wait that would have passed the context deadline.
	gaveUpWait time.Duration
	// earlierMayHaveApplied is true when an attempt before the current one
	// got no response or a 5xx, so it may have been applied.
	earlierMayHaveApplied bool
	// waiting is true between a decision to retry and the next attempt.
	waiting bool
	// bucket is the server limiter that counts this request; ticket is the
	// current attempt's pacing slot, or pacingErr why it got none (the
	// transport then fails the attempt unsent).
	bucket    bucketKind
	ticket    *ticket
	pacingErr error
}

// beforeAttempt waits for a pacing slot. go-retryablehttp calls it before
// each attempt, outside http.Client.Timeout: the wait is bounded by the
// operation's context only, never by the per-attempt timeout.
func (a *attempts) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	a.attempt = attempt
	a.waiting = false
	a.wrote.Store(false)
	a.ticket, a.pacingErr = a.client.pacer.wait(req.Context(), a.bucket)
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

// checkRetry applies the policy by idempotency, chooses the wait and gives up
// at once when that wait would pass the context deadline.
// It never returns an error: (false, nil) hands the last response or
// transport error to send unchanged.
func (a *attempts) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if a.attempt >= a.client.maxRetries || contextDone(ctx) {
		return false, nil
	}
	var retry, mayHaveApplied bool
	switch {
	case err != nil:
		reached := a.wrote.Load() || !neverReachedServer(err)
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
	wait, fromServer := time.Duration(0), false
	if resp != nil {
		wait, fromServer = retryAfterFromHeader(resp.Header, resp.StatusCode, time.Now())
	}
	if !fromServer {
		wait = exponentialBackoff(a.client.waitMin, a.client.waitMax, a.attempt)
	}
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
	a.nextWait = wait
	a.earlierMayHaveApplied = a.earlierMayHaveApplied || mayHaveApplied
	a.waiting = true
	a.inFlight.Store(false)
	a.client.logger.Warn(ctx, "retrying PipesHub API request", fields)
	return true, nil
}

func (a *attempts) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return a.nextWait
}

// handOver replaces go-retryablehttp's "giving up" error: a last response is
// returned as is (send turns it into an *APIError), a transport error is
// passed on for requestError.
func (a *attempts) handOver(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil {
		return resp, nil
	}
	return nil, err
}

// requestError wraps an error from go-retryablehttp's Do: a transport error of
// the last attempt, or the context ending during a retry wait.
func (a *attempts) requestError(err error) error {
	r := a.req
	err = unwrapURLError(err)
	// When the context ended during a retry wait, the current attempt is the
	// one before the wait, already counted in earlierMayHaveApplied.
	sent := a.earlierMayHaveApplied
	if !a.waiting {
		// A context that ended before the request was written stopped it
		// on our side: PipesHub never read a whole request.
		stoppedUnwritten := !a.wrote.Load() && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
		sent = sent || a.wrote.Load() || !neverReachedServer(err) && !stoppedUnwritten
	}
	return &RequestError{Method: r.method, Path: r.path, Sent: sent, RetryAfter: a.gaveUpWait, Err: err}
}

func contextDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
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
