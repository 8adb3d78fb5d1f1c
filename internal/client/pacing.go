package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacing keeps the client within PipesHub's rate limits (internal/emulator/README.md §3):
// express-rate-limit fixed windows of a limit per window, counted per user on
// /oauth-clients, per client IP on /oauth2/*, and globally per client IP
// before authentication. Every answer past a limiter carries its
// RateLimit-Limit, -Remaining and -Reset (seconds until the window resets).
//
// A request waits for a slot before each attempt, in go-retryablehttp's
// RequestLogHook: outside the per-attempt timeout (http.Client.Timeout), and
// bounded only by the operation's context (the resource's timeouts). Waiting
// requests are served in arrival order. Within a window the client spends
// what the server says remains, then waits for the reset; the first answer of
// each window is awaited before sending more (a probe), so a window shared
// with other clients costs at most one 429.
//
// The window gate is written by hand: x/time/rate is a token bucket, and no
// token bucket fits a fixed window (a rate of remaining/reset wastes most of
// the window; a burst plus a rate sends past its end). x/time/rate still
// enforces Config.RequestsPerMinute, a steady rate by definition.

// errPacingWait marks a request that ended (by its context) while waiting for
// a client-side pacing slot, or whose wait could not end before its deadline:
// in both cases before anything was sent.
var errPacingWait = errors.New("waiting for a client-side rate limit slot")

// probeTimeout bounds how long the first request of a window holds the others
// back when its answer is slow to come.
const probeTimeout = time.Second

// warnAfter is the shortest wait that is logged at WARN.
const warnAfter = time.Second

// longRunAfter is the expected total wait from which the client says once that
// the server's limit will make the run take minutes.
const longRunAfter = time.Minute

// The global per-IP limiter's 429 message (internal/emulator/README.md §3.3); the per-user and
// /oauth2 limiters say "Too many OAuth client requests...".
const globalLimitMessage = "Too many requests. Please try again later."

// bucketKind names the server limiter a bucket follows.
type bucketKind int

const (
	bucketUser   bucketKind = iota // per user, every /oauth-clients route
	bucketOAuth2                   // per client IP, /oauth2/token, /revoke, /introspect
	numBuckets
)

func (k bucketKind) String() string {
	if k == bucketOAuth2 {
		return "per-IP limit of /oauth2"
	}
	return "per-user limit of /oauth-clients"
}

// bucketFor returns the limiter that counts requests to path.
func bucketFor(path string) bucketKind {
	if strings.HasPrefix(path, "/oauth2/") {
		return bucketOAuth2
	}
	return bucketUser
}

type windowState int

const (
	// unknown: no live window is known; one request at a time is sent until
	// an answer tells the window's state.
	unknown windowState = iota
	// known: lo, hi, budget describe the current window.
	known
	// headerless: the server sends no rate-limit headers; nothing is paced
	// until it does (or answers 429).
	headerless
)

// bucket is the client's view of one server limiter.
type bucket struct {
	kind  bucketKind
	state windowState
	// haveWindow is set once a window was seen; lo and hi then bound the
	// instant its reset happens(ed) on our clock, narrowed by every answer.
	haveWindow bool
	lo, hi     time.Time
	// budget is how many more requests the window takes: a lower bound, the
	// best of every answer's Remaining less the requests that may have
	// reached the server after it (parallel requests arrive in any order:
	// every request admitted except those answered before it was sent),
	// less the requests admitted since.
	budget int64
	// admitted and answered count requests (all windows); a ticket keeps
	// answered as it was when its request was sent.
	admitted, answered uint64
	// limit and windowLen describe the policy, for the log lines.
	limit     int64
	windowLen time.Duration
	// probes counts the requests admitted while unknown and not yet
	// answered; probeAt is when the last of them was sent.
	probes  int
	probeAt time.Time
	// blockedUntil holds back every request after a 429 without rate-limit
	// headers (only Retry-After).
	blockedUntil time.Time
	// queue holds the waiting requests, first come first served.
	queue []*waiter
	// warnedFor is the reset instant of the last wait logged at WARN.
	warnedFor time.Time
}

type waiter struct {
	wake chan struct{}
}

// ticket is one admitted request.
type ticket struct {
	bucket         *bucket
	answeredAtSend uint64
	probe          bool
	done           bool
}

// pacer holds the limiters shared by all goroutines of one Client.
type pacer struct {
	// ceiling enforces Config.RequestsPerMinute; nil when there is none.
	ceiling *rate.Limiter
	logger  Logger

	mu      sync.Mutex
	buckets [numBuckets]*bucket
	// globalUntil holds back every request after a 429 of the global per-IP
	// limiter, whose state shows on no other answer.
	globalUntil time.Time
	globalLimit string // its RateLimit-Policy, for the log
	// longRunSaid is set once the "this will take minutes" line was logged.
	longRunSaid bool
	// throttled is the total time requests were held back, for the
	// "this will take minutes" line.
	throttled time.Duration
}

func newPacer(requestsPerMinute int, logger Logger) *pacer {
	p := &pacer{logger: logger}
	for k := range numBuckets {
		p.buckets[k] = &bucket{kind: k}
	}
	if requestsPerMinute > 0 {
		p.ceiling = rate.NewLimiter(rate.Limit(float64(requestsPerMinute)/60), 1)
	}
	return p
}

// pacingWaitError is why a request was not sent: the wait for a rate-limit
// slot could not end before the operation's deadline, or the context ended.
type pacingWaitError struct {
	why string
	err error
}

func (e *pacingWaitError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%v: %s: %v", errPacingWait, e.why, e.err)
	}
	return fmt.Sprintf("%v: %s", errPacingWait, e.why)
}

func (e *pacingWaitError) Unwrap() []error { return []error{errPacingWait, e.err} }

// wait blocks until the request may be sent to path, first the ceiling then
// the server's limiter, and returns its ticket. It fails at once when the
// wait would pass ctx's deadline, and when ctx ends meanwhile.
func (p *pacer) wait(ctx context.Context, kind bucketKind) (*ticket, error) {
	if err := p.waitCeiling(ctx); err != nil {
		return nil, err
	}
	b := p.buckets[kind]
	w := &waiter{wake: make(chan struct{}, 1)}
	p.mu.Lock()
	b.queue = append(b.queue, w)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if b.queue[0] == w {
			now := time.Now()
			delay, why := p.delay(b, now)
			if delay == 0 {
				t := p.admit(b, now)
				p.leave(b, w)
				p.mu.Unlock()
				return t, nil
			}
			if deadline, ok := ctx.Deadline(); ok && now.Add(delay).After(deadline) && why != "" {
				p.leave(b, w)
				p.mu.Unlock()
				return nil, &pacingWaitError{why: fmt.Sprintf("%s, %s after the operation's deadline (its timeouts)", why,
					delay.Round(time.Second)), err: context.DeadlineExceeded}
			}
			p.noteWait(ctx, b, delay, why, now)
			if timer == nil {
				timer = time.NewTimer(delay)
			} else {
				timer.Reset(delay)
			}
		}
		p.mu.Unlock()
		var timerC <-chan time.Time
		if timer != nil {
			timerC = timer.C
		}
		select {
		case <-ctx.Done():
			p.mu.Lock()
			p.leave(b, w)
			p.mu.Unlock()
			return nil, &pacingWaitError{why: "the operation ended", err: context.Cause(ctx)}
		case <-w.wake:
		case <-timerC:
		}
		p.mu.Lock()
	}
}

// waitCeiling waits for Config.RequestsPerMinute, if set.
func (p *pacer) waitCeiling(ctx context.Context) error {
	if p.ceiling == nil {
		return nil
	}
	r := p.ceiling.Reserve()
	delay := r.Delay()
	if delay == 0 {
		return nil
	}
	why := fmt.Sprintf("max_requests_per_minute (%g per minute) allows the next request", float64(p.ceiling.Limit())*60)
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(delay).After(deadline) {
		r.Cancel()
		return &pacingWaitError{why: fmt.Sprintf("%s in %s, after the operation's deadline (its timeouts)", why, delay.Round(time.Second)),
			err: context.DeadlineExceeded}
	}
	if delay > warnAfter {
		p.logger.Warn(ctx, "PipesHub requests held back by max_requests_per_minute", map[string]any{
			"wait_s": delay.Round(100 * time.Millisecond).Seconds(), "limiter": "max_requests_per_minute",
		})
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		r.Cancel()
		return &pacingWaitError{why: "the operation ended", err: context.Cause(ctx)}
	case <-t.C:
		return nil
	}
}

// delay is how long the head of b's queue must still wait, with why (for the
// log and the error); why is "" while waiting for a probe's answer.
func (p *pacer) delay(b *bucket, now time.Time) (time.Duration, string) {
	if now.Before(p.globalUntil) {
		return p.globalUntil.Sub(now), "PipesHub's global per-IP rate limit (" + p.globalLimit + ") resets"
	}
	if now.Before(b.blockedUntil) {
		return b.blockedUntil.Sub(now), "PipesHub's " + b.kind.String() + " asked to retry after " + b.blockedUntil.Format(time.TimeOnly)
	}
	switch b.state {
	case headerless:
		return 0, ""
	case known:
		if now.Before(b.hi) {
			if b.budget > 0 {
				return 0, ""
			}
			return b.hi.Sub(now), fmt.Sprintf("PipesHub's %s (%s) resets", b.kind, b.policy())
		}
		b.state = unknown // the window is over; the next answer tells the new one
	}
	if b.probes == 0 {
		return 0, ""
	}
	if waited := now.Sub(b.probeAt); waited < probeTimeout {
		return probeTimeout - waited, ""
	}
	return 0, ""
}

func (b *bucket) policy() string {
	if b.windowLen > 0 {
		return fmt.Sprintf("%d requests per %s", b.limit, b.windowLen)
	}
	return fmt.Sprintf("%d requests per window", b.limit)
}

// admit hands out a ticket, spending the window's budget.
func (p *pacer) admit(b *bucket, now time.Time) *ticket {
	b.admitted++
	t := &ticket{bucket: b, answeredAtSend: b.answered}
	switch b.state {
	case known:
		b.budget--
	case unknown:
		t.probe = true
		b.probes++
		b.probeAt = now
	}
	return t
}

// leave removes w from b's queue and wakes the new head.
func (p *pacer) leave(b *bucket, w *waiter) {
	for i, q := range b.queue {
		if q == w {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			break
		}
	}
	p.wakeHead(b)
}

func (p *pacer) wakeHead(b *bucket) {
	if len(b.queue) > 0 {
		select {
		case b.queue[0].wake <- struct{}{}:
		default:
		}
	}
}

// noteWait logs a wait longer than warnAfter once per window, and once per
// process that the server's limit will make the run take minutes.
func (p *pacer) noteWait(ctx context.Context, b *bucket, delay time.Duration, why string, now time.Time) {
	if why == "" || delay <= warnAfter {
		return
	}
	resetAt := now.Add(delay)
	if !resetAt.After(b.warnedFor.Add(warnAfter)) {
		return // this wait was logged already
	}
	b.warnedFor = resetAt
	p.throttled += delay
	queued := len(b.queue)
	p.logger.Warn(ctx, "PipesHub rate limit: requests wait "+delay.Round(100*time.Millisecond).String()+" until "+why, map[string]any{
		"wait_s":    delay.Round(100 * time.Millisecond).Seconds(),
		"resets_at": resetAt.Format(time.RFC3339),
		"limiter":   limiterName(why),
		"queued":    queued,
	})
	if p.longRunSaid {
		return
	}
	expected := p.throttled
	if b.limit > 0 && b.windowLen > 0 && queued > int(b.limit) {
		expected += time.Duration((queued-1)/int(b.limit)) * b.windowLen
	}
	if expected < longRunAfter {
		return
	}
	p.longRunSaid = true
	p.logger.Warn(ctx, "PipesHub's rate limit will make this run take minutes: "+why+" and requests are sent "+
		"as fast as it allows. None fails while its timeouts allow; a larger server limit (MAX_OAUTH_CLIENT_REQUESTS_PER_MINUTE) "+
		"or fewer resources per run would be faster", map[string]any{
		"throttled_s": p.throttled.Round(time.Second).Seconds(), "limiter": limiterName(why),
	})
}

func limiterName(why string) string {
	switch {
	case strings.Contains(why, "global"):
		return "global per-IP"
	case strings.Contains(why, bucketOAuth2.String()):
		return bucketOAuth2.String()
	}
	return bucketUser.String()
}

// observe updates t's bucket (or the global gate) from an answer to t's
// request, sent and received at the given local times.
func (p *pacer) observe(t *ticket, resp *http.Response, sent, received time.Time) {
	limit, okL := headerSeconds(resp.Header, "RateLimit-Limit")
	remaining, okR := headerSeconds(resp.Header, "RateLimit-Remaining")
	reset, okT := headerSeconds(resp.Header, "RateLimit-Reset")
	withHeaders := okL && okR && okT
	global := false
	if resp.StatusCode == http.StatusTooManyRequests {
		global = isGlobalLimit(resp)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	b := t.bucket
	p.settle(t)
	b.answered++
	defer p.wakeHead(b)
	budget := remaining - int64(b.admitted-t.answeredAtSend-1)

	switch {
	case global:
		wait, ok := retryAfterFromHeader(resp.Header, resp.StatusCode, received)
		if !ok {
			wait = time.Second
		}
		p.globalUntil = laterOf(p.globalUntil, received.Add(wait))
		p.globalLimit = policyText(resp.Header)
		return
	case resp.StatusCode == http.StatusUnauthorized:
		// Answered before the per-user limiter: its headers are the global one's.
		return
	case !withHeaders:
		if resp.StatusCode == http.StatusTooManyRequests {
			if wait, ok := retryAfterFromHeader(resp.Header, resp.StatusCode, received); ok {
				b.blockedUntil = laterOf(b.blockedUntil, received.Add(wait))
			}
			return
		}
		if b.state == unknown && !b.haveWindow {
			b.state = headerless
		}
		return
	}

	lo := sent.Add(time.Duration(reset)*time.Second - time.Second)
	hi := received.Add(time.Duration(reset) * time.Second)
	switch {
	case b.haveWindow && hi.Before(b.lo):
		// An answer from an earlier window, arriving late.
	case b.haveWindow && !lo.After(b.hi):
		// The same window: narrow the reset instant.
		if b.state != known {
			return // that window is over
		}
		b.lo, b.hi = laterOf(b.lo, lo), earlierOf(b.hi, hi)
		if resp.StatusCode == http.StatusTooManyRequests {
			b.budget = min(b.budget, 0) // spent, whatever we thought
		} else {
			b.budget = max(b.budget, budget)
		}
	default:
		// A new window.
		b.state, b.haveWindow = known, true
		b.lo, b.hi = lo, hi
		b.budget = budget
		b.limit = limit
		if w, ok := policyWindow(resp.Header); ok {
			b.windowLen = w
		}
	}
}

// release settles a ticket whose request got no answer. The budget stays
// spent; unless the request certainly never reached the server, it may
// still be counted at any time, so it is never taken as answered.
func (p *pacer) release(t *ticket, neverSent bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle(t)
	if neverSent {
		t.bucket.answered++
	}
	p.wakeHead(t.bucket)
}

func (p *pacer) settle(t *ticket) {
	if t.done {
		return
	}
	t.done = true
	if t.probe {
		t.bucket.probes--
	}
}

// isGlobalLimit tells the global per-IP limiter's 429 from the others by its
// message, leaving the body readable.
func isGlobalLimit(resp *http.Response) bool {
	if resp.Body == nil {
		return false
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return err == nil && bytes.Contains(data, []byte(globalLimitMessage))
}

// policyWindow reads the window from RateLimit-Policy ("30;w=10").
func policyWindow(h http.Header) (time.Duration, bool) {
	for _, part := range strings.Split(h.Get("RateLimit-Policy"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "w="); ok {
			if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 && secs < math.MaxInt32 {
				return time.Duration(secs * float64(time.Second)), true
			}
		}
	}
	return 0, false
}

func policyText(h http.Header) string {
	limit := h.Get("RateLimit-Limit")
	if limit == "" {
		return "limit unknown"
	}
	if w, ok := policyWindow(h); ok {
		return limit + " requests per " + w.String()
	}
	return limit + " requests per window"
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
