package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// slowDownRatio: when RateLimit-Remaining falls to 1/slowDownRatio of
// RateLimit-Limit or below, the client spreads its remaining requests over the
// time left in the window instead of spending them in one burst.
const slowDownRatio = 10

// errPacingWait marks a request that ended (by its context) while waiting for
// a client-side pacing slot, so before anything was sent.
var errPacingWait = errors.New("waiting for a client-side rate limit slot")

// pacer holds the limiters shared by all goroutines of one Client.
type pacer struct {
	// ceiling enforces Config.RequestsPerMinute; nil when there is none.
	ceiling *rate.Limiter
	// adaptive is unlimited until a response reports few remaining requests.
	adaptive *rate.Limiter
}

func newPacer(requestsPerMinute int) *pacer {
	p := &pacer{adaptive: rate.NewLimiter(rate.Inf, 1)}
	if requestsPerMinute > 0 {
		p.ceiling = rate.NewLimiter(rate.Limit(float64(requestsPerMinute)/60), 1)
	}
	return p
}

// wait blocks until both limiters allow a request. A wait that would pass the
// context deadline fails at once (rate.Limiter.Wait checks that up front).
func (p *pacer) wait(ctx context.Context) error {
	if p.ceiling != nil {
		if err := p.ceiling.Wait(ctx); err != nil {
			return fmt.Errorf("%w: %w", errPacingWait, err)
		}
	}
	if err := p.adaptive.Wait(ctx); err != nil {
		return fmt.Errorf("%w: %w", errPacingWait, err)
	}
	return nil
}

// observe adapts the pace to a response's RateLimit-Limit, -Remaining and
// -Reset headers (draft-6 set, as PipesHub's express-rate-limit sends them).
func (p *pacer) observe(h http.Header, now time.Time) {
	limit, ok1 := headerSeconds(h, "RateLimit-Limit")
	remaining, ok2 := headerSeconds(h, "RateLimit-Remaining")
	reset, ok3 := headerSeconds(h, "RateLimit-Reset")
	if !ok1 || !ok2 || !ok3 {
		return
	}
	p.adaptive.SetLimitAt(now, adaptiveRate(limit, remaining, reset))
}

// adaptiveRate is the request rate that spends the remaining requests evenly
// over the seconds until the window resets, or rate.Inf while plenty remain.
func adaptiveRate(limit, remaining, resetSeconds int64) rate.Limit {
	if limit <= 0 || resetSeconds <= 0 || remaining*slowDownRatio > limit {
		return rate.Inf
	}
	// With nothing left the next request will be answered 429 with a
	// Retry-After anyway; one request per window keeps probing gently.
	return rate.Limit(float64(max(remaining, 1)) / float64(resetSeconds))
}

// pacedTransport waits for the pacer before each attempt (retries included)
// and feeds it every response's rate-limit headers.
// It also feeds the server clock every answer's Date header.
type pacedTransport struct {
	next  http.RoundTripper
	pacer *pacer
	clock *serverClock
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.pacer.wait(req.Context()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	sent := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		received := time.Now()
		t.pacer.observe(resp.Header, received)
		t.clock.observe(resp.Header, sent, received)
	}
	return resp, err
}
