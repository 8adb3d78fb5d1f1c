package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryClass decides which failures a request may be retried on. The zero
// value is the cautious one, so that an endpoint added without thought is
// never repeated after it may have been applied.
type retryClass int

const (
	// notRepeatable requests (create, token) are retried only when the server
	// certainly did not act: a 429, or a request that never reached it.
	notRepeatable retryClass = iota
	// repeatable requests (GET, PUT, DELETE, suspend, activate,
	// regenerate-secret, revoke-all, revoke) are retried on 429, 5xx and
	// connection errors: repeating them cannot create a second object, and
	// the callers of suspend and activate confirm an "already" answer.
	repeatable
)

// maxDialRetries bounds the retries of a connection that could not be
// made (refused, reset while connecting, DNS): a server that is down should
// fail the run within seconds and say so, not after minutes of backoff; a
// restart that takes a moment is still waited for.
const maxDialRetries = 2

// maxRetryAfter caps a server-provided wait so that a garbage header cannot
// park a request for days; the context deadline still applies below it.
const maxRetryAfter = time.Hour

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

// transportErrorRetryable uses go-retryablehttp's classification of transport
// errors (it refuses to retry TLS certificate, scheme, header and redirect
// errors) and never retries when the context has ended or a pacing wait
// could not fit before the deadline (waiting again would not fit either).
func transportErrorRetryable(ctx context.Context, err error) bool {
	if errors.Is(err, errPacingWait) {
		return false
	}
	retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
	return retry
}

// IsUnreachable reports whether err means that no PipesHub server could be
// reached at the configured address: the connection could not be made
// (refused: down, restarting or a wrong server URL) or the name not resolved.
func IsUnreachable(err error) bool {
	return !errors.Is(err, errPacingWait) && neverReachedServer(err)
}
