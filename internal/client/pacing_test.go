package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// rateLimitServer reports limit/remaining/reset on every response.
func rateLimitServer(t *testing.T, limit, remaining, reset int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("RateLimit-Limit", strconv.Itoa(limit))
		w.Header().Set("RateLimit-Remaining", strconv.Itoa(remaining))
		w.Header().Set("RateLimit-Reset", strconv.Itoa(reset))
		_, _ = w.Write([]byte(appJSON))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// burst sends n parallel GETs with ctx and returns how long they took together.
func burst(t *testing.T, c *Client, n int) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := c.ListApps(ctx, ListAppsParams{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// held is how many requests of c's per-user limiter had to wait their turn.
func held(c *Client) uint64 {
	c.pacer.mu.Lock()
	defer c.pacer.mu.Unlock()
	return c.pacer.buckets[bucketUser].held
}

// TestNoPacingWhilePlentyRemain: once an answer says the window has plenty
// left, a burst is sent without holding a request back.
func TestNoPacingWhilePlentyRemain(t *testing.T) {
	t.Parallel()
	c, logger := newTestClient(t, rateLimitServer(t, 1000, 900, 60).URL, nil)
	burst(t, c, 1) // the probe of the window
	burst(t, c, 20)
	if n := held(c); n != 0 {
		t.Errorf("%d of 20 requests were held back", n)
	}
	if n := logger.count("WARN"); n != 0 {
		t.Errorf("%d WARN lines for an unthrottled burst", n)
	}
}

// TestPacingSpendsEachWindowWithoutA429 sends 12 parallel requests to a
// server that allows 5 per second (fixed windows, as PipesHub): the client
// spends each window's remaining requests and waits for its reset, so the
// server counts exactly 12 requests (no 429) and every request succeeds.
func TestPacingSpendsEachWindowWithoutA429(t *testing.T) {
	t.Parallel()
	emu, url := newEmulator(t, emulator.Config{RateLimit: 5, RateWindow: time.Second})
	c, _ := newTestClient(t, url, func(cfg *Config) { cfg.MaxRetries = 0 })
	elapsed := burst(t, c, 12)
	if n := emu.Calls(emulator.RouteListApps); n != 12 {
		t.Errorf("server saw %d requests for 12, want 12 (no 429)", n)
	}
	if elapsed < 1900*time.Millisecond {
		t.Errorf("12 requests at 5 per second in %s: the windows were not respected", elapsed)
	}
}

// TestPacingWaitIsNotInThePerAttemptTimeout: waits for the next window far
// longer than the per-attempt timeout (http.Client.Timeout) must not fail
// the request; only the operation's deadline bounds them. This is the
// 60-second attempt timeout against a one-minute window, scaled down.
func TestPacingWaitIsNotInThePerAttemptTimeout(t *testing.T) {
	t.Parallel()
	emu, url := newEmulator(t, emulator.Config{RateLimit: 2, RateWindow: 1500 * time.Millisecond})
	c, _ := newTestClient(t, url, func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
		cfg.MaxRetries = 0
	})
	burst(t, c, 5)
	if n := emu.Calls(emulator.RouteListApps); n != 5 {
		t.Errorf("server saw %d requests for 5, want 5 (no 429)", n)
	}
}

// TestPacingServesWaitersInOrder: requests queued behind a spent window are
// admitted in the order they arrived.
func TestPacingServesWaitersInOrder(t *testing.T) {
	t.Parallel()
	p := newPacer(0, silentLogger{})
	b := p.buckets[bucketUser]
	now := time.Now()
	b.state, b.resetAt, b.budget = known, now.Add(200*time.Millisecond), 0

	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			tk, err := p.wait(context.Background(), bucketUser)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			// Answer as PipesHub would in the new window, with one request
			// left each time: the next waiter is admitted only after this
			// answer, so order records admissions, not goroutine scheduling.
			resp := &http.Response{StatusCode: 200, Header: http.Header{}}
			resp.Header.Set("RateLimit-Limit", "100")
			resp.Header.Set("RateLimit-Remaining", "1")
			resp.Header.Set("RateLimit-Reset", "60")
			p.observe(tk, resp, time.Now(), time.Now())
		})
		// Arrive in order: the next starts once this one is queued (or,
		// should the window already have reset, admitted).
		for arrived := false; !arrived; time.Sleep(time.Millisecond) {
			p.mu.Lock()
			arrived = int(b.arrived) == i+1
			p.mu.Unlock()
		}
	}
	wg.Wait()
	for i, got := range order {
		if got != i {
			t.Fatalf("admitted in order %v, want 0..5", order)
		}
	}
}

// TestPacingWaitPastDeadlineFailsUnsent: a window that resets after the
// operation's deadline fails the request at once, unsent, saying why.
func TestPacingWaitPastDeadlineFailsUnsent(t *testing.T) {
	t.Parallel()
	c, logger := newTestClient(t, rateLimitServer(t, 10, 0, 60).URL, nil)
	if _, err := c.GetApp(context.Background(), testAppID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Had it waited, the deadline would have ended the wait ("the operation
	// ended"), and the error would not name the limit.
	_, err := c.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"openid"}})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || MayHaveApplied(err) {
		t.Fatalf("want an unsent RequestError, got %v", err)
	}
	for _, want := range []string{"per-user limit", "10 requests per window", "deadline"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := logger.count("WARN retrying"); n != 0 {
		t.Errorf("a pacing wait that cannot fit was retried %d times", n)
	}
}

func TestRequestsPerMinuteCeiling(t *testing.T) {
	t.Parallel()
	// 1200 per minute is one request per 50 ms: 6 requests take >= 250 ms.
	c, _ := newTestClient(t, rateLimitServer(t, 1000, 900, 60).URL, func(cfg *Config) { cfg.RequestsPerMinute = 1200 })
	if elapsed := burst(t, c, 6); elapsed < 240*time.Millisecond {
		t.Errorf("6 requests at 1200/min took %s, want >= 250ms", elapsed)
	}
}

func TestCeilingWaitPastDeadlineFailsUnsent(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, rateLimitServer(t, 1000, 900, 60).URL, func(cfg *Config) { cfg.RequestsPerMinute = 1 })
	if _, err := c.GetApp(context.Background(), testAppID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"openid"}})
	if MayHaveApplied(err) || !strings.Contains(err.Error(), "max_requests_per_minute") {
		t.Fatalf("want an unsent error naming max_requests_per_minute, got %v", err)
	}
}

// TestGlobalLimitHoldsEveryRequest: a 429 from PipesHub's global per-IP
// limiter (whose state no other answer shows) holds back every request until
// it resets: one 429 for the whole burst, and a WARN line naming it.
func TestGlobalLimitHoldsEveryRequest(t *testing.T) {
	t.Parallel()
	var limited atomic.Bool
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, call int) {
		if call == 1 {
			limited.Store(true)
			w.Header().Set("RateLimit-Policy", "1000;w=60")
			w.Header().Set("RateLimit-Limit", "1000")
			w.Header().Set("RateLimit-Remaining", "0")
			w.Header().Set("RateLimit-Reset", "2")
			w.Header().Set("Retry-After", "2")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many requests. Please try again later."}}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":[],"pagination":{"page":1,"limit":100,"total":0,"totalPages":0}}`))
	}}
	c, logger := newServedClient(t, h, func(cfg *Config) { cfg.RetryWaitMax = 5 * time.Second })
	burst(t, c, 6)
	if n := h.count(); n != 7 {
		t.Errorf("server saw %d requests for 6, want 7 (one 429)", n)
	}
	found := false
	for _, line := range logger.all() {
		if strings.HasPrefix(line, "WARN PipesHub rate limit") && strings.Contains(line, "global per-IP") {
			found = true
		}
	}
	if !found {
		t.Errorf("no WARN line names the global limit:\n%s", strings.Join(logger.all(), "\n"))
	}
}

// TestThrottledWaitIsLoggedOncePerWindow: a wait over a second gets one WARN
// line per window, saying which limiter and when it resets.
func TestThrottledWaitIsLoggedOncePerWindow(t *testing.T) {
	t.Parallel()
	_, url := newEmulator(t, emulator.Config{RateLimit: 3, RateWindow: 2 * time.Second})
	c, logger := newTestClient(t, url, nil)
	burst(t, c, 6)
	var warns []string
	for _, line := range logger.all() {
		if strings.HasPrefix(line, "WARN PipesHub rate limit") {
			warns = append(warns, line)
		}
	}
	if len(warns) != 1 {
		t.Fatalf("want one WARN line for one throttled window, got:\n%s", strings.Join(warns, "\n"))
	}
	for _, want := range []string{"per-user limit of /oauth-clients", "3 requests per 2s", "resets_at"} {
		if !strings.Contains(warns[0], want) {
			t.Errorf("WARN line %q does not say %q", warns[0], want)
		}
	}
}

// TestLongRunIsSaidOnce: a limit that will stretch the run to minutes is
// said once per process.
func TestLongRunIsSaidOnce(t *testing.T) {
	t.Parallel()
	logger := &recordingLogger{}
	p := newPacer(0, logger)
	b := p.buckets[bucketUser]
	b.limit, b.windowLen = 10, time.Minute
	now := time.Now()
	for i := range 3 {
		b.arrived, b.admitted = 25, 0
		p.noteWait(context.Background(), b, 50*time.Second, "PipesHub's per-user limit of /oauth-clients (10 requests per 1m0s) resets", now.Add(time.Duration(i)*time.Minute))
	}
	if n := logger.count("WARN PipesHub's rate limit will make this run take minutes"); n != 1 {
		t.Errorf("said %d times, want once:\n%s", n, strings.Join(logger.all(), "\n"))
	}
}

// TestHeaderlessServerIsNotPaced: a server without rate-limit headers is
// sent to at full speed after its first answer.
func TestHeaderlessServerIsNotPaced(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, _ int) {
		_, _ = w.Write([]byte(`{"data":[],"pagination":{"page":1,"limit":100,"total":0,"totalPages":0}}`))
	}}
	c, _ := newServedClient(t, h, nil)
	burst(t, c, 1) // the answer without headers
	burst(t, c, 20)
	if n := held(c); n != 0 {
		t.Errorf("%d of 20 requests were held back", n)
	}
	if st := c.pacer.buckets[bucketUser].state; st != headerless {
		t.Errorf("state %v, want headerless", st)
	}
}

func TestBucketFor(t *testing.T) {
	t.Parallel()
	if bucketFor("/oauth2/token") != bucketOAuth2 || bucketFor("/oauth-clients/scopes") != bucketUser {
		t.Error("wrong bucket")
	}
}

// TestTwoUsersShareTheGlobalLimit: two users' clients behind one IP share
// PipesHub's global per-IP limit, which neither sees until its 429. Every
// request still succeeds; after a client's first global 429 it holds every
// request until the reset, so the 429s stay within what was in flight then.
func TestTwoUsersShareTheGlobalLimit(t *testing.T) {
	t.Parallel()
	emu, url := newEmulator(t, emulator.Config{GlobalRateLimit: 8, GlobalRateWindow: 1500 * time.Millisecond})
	a, _ := newTestClient(t, url, func(cfg *Config) { cfg.MaxRetries = 5 })
	b, _ := newTestClient(t, url, func(cfg *Config) {
		cfg.MaxRetries = 5
		cfg.BearerToken = testMemberToken
	})
	var wg sync.WaitGroup
	wg.Go(func() { burst(t, a, 10) })
	wg.Go(func() { burst(t, b, 10) })
	wg.Wait()
	calls := emu.Calls(emulator.RouteListApps)
	// 20 requests need 3 windows of 8; each client may meet the limit with
	// up to 10 requests in flight once, then at most one 429 per window.
	if wasted := calls - 20; wasted > 2*10+2*3 {
		t.Errorf("%d 429s for 20 requests", wasted)
	}
}
