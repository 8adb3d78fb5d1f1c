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
// express-rate-limit fixed windows, counted per user on /oauth-clients, per
// client IP on /oauth2/*, and globally per client IP before authentication.
// Every answer past a limiter says what its window still takes
// (RateLimit-Remaining) and when it resets (RateLimit-Reset, seconds): the
// client spends what remains, then waits for the reset; the first request of
// a new window goes alone (a probe) until its answer tells the window, so a
// window shared with other clients costs at most one 429. A request waits
// before each attempt, in the attempt loop (request.go): bounded by the operation's
// context, never by the per-attempt timeout.
//
// The window is kept by hand: x/time/rate is a token bucket, and none fits a
// fixed window (a rate of remaining/reset wastes most of it; a burst plus a
// rate sends past its end). x/time/rate still enforces
// Config.RequestsPerMinute, a steady rate by definition.

// errPacingWait marks a request that ended (by its context) while waiting for
// a client-side pacing slot, or whose wait could not end before its deadline:
// in both cases before anything was sent.
var errPacingWait = errors.New("waiting for a client-side rate limit slot")

// probeTimeout bounds how long a probe holds the others back when its answer
// is slow to come.
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
	unknown    windowState = iota // no live window known: the next request probes
	known                         // resetAt and budget describe the window
	headerless                    // the server sends no rate-limit headers: nothing is paced
)

// bucket is the client's view of one server limiter.
type bucket struct {
	kind bucketKind
	// turn is held by the one request whose turn it is to be admitted; the
	// others queue on it first come, first served (a channel's blocked
	// senders are woken in order).
	turn chan struct{}

	// The rest is guarded by pacer.mu.
	state windowState
	// resetAt is when the known window resets on our clock (the answer's
	// arrival plus its RateLimit-Reset: never early), budget how many more
	// requests it takes (the best lower bound of every answer, less the
	// requests admitted since), openedAt when the request whose answer
	// opened it was sent: answers to requests sent before are stale.
	resetAt, openedAt time.Time
	budget            int64
	// arrived, admitted and answered count requests; a ticket keeps
	// answered as it was when its request was admitted. held counts the
	// requests that had to wait for their turn (a window, a probe, a 429).
	arrived, admitted, answered, held uint64
	// probing is set while a probe awaits its answer (answers wake waiters).
	probing bool
	probeAt time.Time
	answers chan struct{}
	// blockedUntil holds back every request after a 429 without rate-limit
	// headers (only Retry-After).
	blockedUntil time.Time
	// limit, windowLen and warnedFor are for the log.
	limit     int64
	windowLen time.Duration
	warnedFor time.Time
}

// ticket is one admitted request.
type ticket struct {
	bucket         *bucket
	answeredAtSend uint64
	probe, done    bool
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
	globalLimit string // its policy, for the log
	// throttled is the total wait so far; longRunSaid is set once the
	// "this will take minutes" line was logged.
	throttled   time.Duration
	longRunSaid bool
}

func newPacer(requestsPerMinute int, logger Logger) *pacer {
	p := &pacer{logger: logger}
	for k := range numBuckets {
		p.buckets[k] = &bucket{kind: k, turn: make(chan struct{}, 1), answers: make(chan struct{})}
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
	return fmt.Sprintf("%v: %s: %v", errPacingWait, e.why, e.err)
}

func (e *pacingWaitError) Unwrap() []error { return []error{errPacingWait, e.err} }

func pacingEnded(ctx context.Context) error {
	return &pacingWaitError{why: "the operation ended", err: context.Cause(ctx)}
}

// wait blocks until a request may be sent to kind's limiter, first by the
// ceiling, then in its turn by the server's window, and returns its ticket.
// It fails at once when the wait would pass ctx's deadline, and when ctx
// ends meanwhile.
func (p *pacer) wait(ctx context.Context, kind bucketKind) (*ticket, error) {
	if err := p.waitCeiling(ctx); err != nil {
		return nil, err
	}
	b := p.buckets[kind]
	p.mu.Lock()
	b.arrived++
	p.mu.Unlock()
	select {
	case b.turn <- struct{}{}:
	case <-ctx.Done():
		p.mu.Lock()
		b.arrived--
		p.mu.Unlock()
		return nil, pacingEnded(ctx)
	}
	defer func() { <-b.turn }()
	p.mu.Lock()
	defer p.mu.Unlock()
	for waited := false; ; {
		now := time.Now()
		delay, why := p.delay(b, now)
		if delay <= 0 {
			return p.admit(b, now), nil
		}
		if deadline, ok := ctx.Deadline(); ok && now.Add(delay).After(deadline) && why != "" {
			b.arrived--
			return nil, &pacingWaitError{why: fmt.Sprintf("%s, %s after the operation's deadline (its timeouts)", why,
				delay.Round(time.Second)), err: context.DeadlineExceeded}
		}
		if !waited {
			waited = true
			b.held++
		}
		p.noteWait(ctx, b, delay, why, now)
		answers := b.answers
		p.mu.Unlock()
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
		case <-answers:
		case <-timer.C:
		}
		timer.Stop()
		p.mu.Lock()
		if ctx.Err() != nil {
			b.arrived--
			return nil, pacingEnded(ctx)
		}
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
	if !sleep(ctx, delay) {
		r.Cancel()
		return pacingEnded(ctx)
	}
	return nil
}

// delay is how long the request whose turn it is must still wait, with why
// (for the log and the error); why is "" while a probe's answer is awaited.
func (p *pacer) delay(b *bucket, now time.Time) (time.Duration, string) {
	switch {
	case now.Before(p.globalUntil):
		return p.globalUntil.Sub(now), "PipesHub's global per-IP rate limit (" + p.globalLimit + ") resets"
	case now.Before(b.blockedUntil):
		return b.blockedUntil.Sub(now), "PipesHub's " + b.kind.String() + " asked to retry after " + b.blockedUntil.Format(time.TimeOnly)
	case b.state == headerless:
		return 0, ""
	case b.state == known && now.Before(b.resetAt):
		if b.budget > 0 {
			return 0, ""
		}
		return b.resetAt.Sub(now), fmt.Sprintf("PipesHub's %s (%s) resets", b.kind, b.policy())
	}
	b.state = unknown // the window is over (or none was seen): the next answer tells the new one
	if waited := now.Sub(b.probeAt); b.probing && waited < probeTimeout {
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

// admit hands out a ticket, spending the window's budget or probing.
func (p *pacer) admit(b *bucket, now time.Time) *ticket {
	b.admitted++
	t := &ticket{bucket: b, answeredAtSend: b.answered}
	switch b.state {
	case known:
		b.budget--
	case unknown:
		t.probe, b.probing, b.probeAt = true, true, now
	}
	return t
}

// noteWait logs a wait longer than warnAfter once per window, and once per
// process that the server's limit will make the run take minutes.
func (p *pacer) noteWait(ctx context.Context, b *bucket, delay time.Duration, why string, now time.Time) {
	resetAt := now.Add(delay)
	if why == "" || delay <= warnAfter || !resetAt.After(b.warnedFor.Add(warnAfter)) {
		return // not worth a line, or logged already
	}
	b.warnedFor = resetAt
	p.throttled += delay
	queued := int64(b.arrived - b.admitted)
	p.logger.Warn(ctx, "PipesHub rate limit: requests wait "+delay.Round(100*time.Millisecond).String()+" until "+why, map[string]any{
		"wait_s":    delay.Round(100 * time.Millisecond).Seconds(),
		"resets_at": resetAt.Format(time.RFC3339),
		"limiter":   limiterName(why),
		"queued":    queued,
	})
	expected := p.throttled
	if b.limit > 0 && queued > b.limit {
		expected += time.Duration((queued-1)/b.limit) * b.windowLen
	}
	if p.longRunSaid || expected < longRunAfter {
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

// observe learns from an answer to t's request, sent and received at the
// given local times: the window's budget and reset, or a 429's hold.
func (p *pacer) observe(t *ticket, resp *http.Response, sent, received time.Time) {
	limit, okL := headerSeconds(resp.Header, "RateLimit-Limit")
	remaining, okR := headerSeconds(resp.Header, "RateLimit-Remaining")
	reset, okT := headerSeconds(resp.Header, "RateLimit-Reset")
	limited := resp.StatusCode == http.StatusTooManyRequests
	global := limited && isGlobalLimit(resp)

	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.answered(t, true)
	switch {
	case global:
		wait, ok := retryAfterFromHeader(resp.Header, resp.StatusCode, received)
		if !ok {
			wait = time.Second
		}
		p.globalUntil = laterOf(p.globalUntil, received.Add(wait))
		p.globalLimit = policyText(resp.Header)
	case resp.StatusCode == http.StatusUnauthorized:
		// Answered before the per-user limiter: its headers are the global one's.
	case !(okL && okR && okT):
		if wait, ok := retryAfterFromHeader(resp.Header, resp.StatusCode, received); ok && limited {
			b.blockedUntil = laterOf(b.blockedUntil, received.Add(wait))
		} else if !limited && b.state == unknown && b.openedAt.IsZero() {
			b.state = headerless
		}
	case sent.Before(b.openedAt):
		// An answer from an earlier window, arriving late.
	default:
		// Every request admitted since t's, and those in flight when it was
		// admitted, may have been counted after it: they come off its Remaining.
		estimate := remaining - int64(b.admitted-t.answeredAtSend-1)
		resetAt := received.Add(time.Duration(reset) * time.Second)
		if b.state == known {
			b.resetAt = earlierOf(b.resetAt, resetAt)
			b.budget = max(b.budget, estimate)
			if limited {
				b.budget = min(b.budget, 0) // spent, whatever we thought
			}
			return
		}
		b.state, b.openedAt, b.resetAt, b.budget, b.limit = known, sent, resetAt, estimate, limit
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
	p.answered(t, neverSent)
}

// answered settles t once and wakes the request waiting for its turn;
// counted marks it answered (or certainly never sent). Called under mu.
func (p *pacer) answered(t *ticket, counted bool) *bucket {
	b := t.bucket
	if !t.done {
		t.done = true
		b.probing = b.probing && !t.probe
		if counted {
			b.answered++
		}
	}
	close(b.answers)
	b.answers = make(chan struct{})
	return b
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
