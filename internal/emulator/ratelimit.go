package emulator

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter is an express-rate-limit instance with its memory store: a
// fixed window per key that starts with the key's first hit.
type rateLimiter struct {
	limit   int
	window  time.Duration
	message string // of its 429 envelope

	mu      sync.Mutex
	windows map[string]*rateWindow
}

type rateWindow struct {
	hits  int
	reset time.Time
}

// rateResult is the outcome of one hit, as the draft-6 headers report it.
type rateResult struct {
	limit, remaining int
	resetSeconds     int
	window           time.Duration
	exceeded         bool
}

func newRateLimiter(limit int, window time.Duration, message string) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, message: message, windows: map[string]*rateWindow{}}
}

// admit counts a request under key and sets the RateLimit-* headers, which
// replace an earlier limiter's; over the limit it answers the 429 itself
// and reports false.
func (l *rateLimiter) admit(w http.ResponseWriter, key string, now time.Time) bool {
	limit := l.hit(key, now)
	limit.setHeaders(w.Header())
	if limit.exceeded {
		writeError(w, limit.tooMany(l.message))
		return false
	}
	return true
}

func (l *rateLimiter) hit(key string, now time.Time) rateResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[key]
	if w == nil || !now.Before(w.reset) {
		w = &rateWindow{reset: now.Add(l.window)}
		l.windows[key] = w
	}
	w.hits++
	return rateResult{
		limit:        l.limit,
		remaining:    max(0, l.limit-w.hits),
		resetSeconds: max(0, int(math.Ceil(w.reset.Sub(now).Seconds()))),
		window:       l.window,
		exceeded:     w.hits > l.limit,
	}
}

// setHeaders writes express-rate-limit's standardHeaders (draft-6) and, on a
// 429, Retry-After.
func (r rateResult) setHeaders(h http.Header) {
	h.Set("RateLimit-Policy", strconv.Itoa(r.limit)+";w="+strconv.Itoa(int(math.Ceil(r.window.Seconds()))))
	h.Set("RateLimit-Limit", strconv.Itoa(r.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(r.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(r.resetSeconds))
	if r.exceeded {
		h.Set("Retry-After", strconv.Itoa(r.resetSeconds))
	}
}

// tooMany is the limiter's 429 with its message (internal/emulator/README.md §3, §10.1).
func (r rateResult) tooMany(message string) *apiError {
	e := newError(http.StatusTooManyRequests, codeTooManyRequests, message)
	retryAfter := r.resetSeconds
	e.retryAfter = &retryAfter
	return e
}
