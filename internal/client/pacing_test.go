package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestAdaptiveRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit, remaining, reset int64
		want                    rate.Limit
	}{
		{1000, 999, 60, rate.Inf},
		{1000, 101, 60, rate.Inf},
		{1000, 100, 50, 2},  // 10%: spread 100 over 50s
		{1000, 30, 60, 0.5}, // 30 over 60s
		{1000, 0, 20, 0.05}, // none left: one probe per window
		{1000, 50, 0, rate.Inf},
		{0, 0, 60, rate.Inf},
	}
	for _, tt := range tests {
		if got := adaptiveRate(tt.limit, tt.remaining, tt.reset); got != tt.want {
			t.Errorf("adaptiveRate(%d, %d, %d) = %v, want %v", tt.limit, tt.remaining, tt.reset, got, tt.want)
		}
	}
}

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

// burst sends n parallel GETs and returns how long they took together.
func burst(t *testing.T, c *Client, n int) time.Duration {
	t.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := c.GetApp(context.Background(), testAppID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

func TestAdaptivePacingSpreadsABurst(t *testing.T) {
	t.Parallel()
	// 40 remaining of 1000 with 1 s to go: 40 requests per second, so 11
	// requests after the first response take at least ~250 ms.
	c, _ := newTestClient(t, rateLimitServer(t, 1000, 40, 1).URL, nil)
	if _, err := c.GetApp(context.Background(), testAppID); err != nil {
		t.Fatal(err)
	}
	if elapsed := burst(t, c, 11); elapsed < 200*time.Millisecond {
		t.Errorf("11 requests at 40/s took %s, want >= 250ms", elapsed)
	}
}

func TestNoPacingWhilePlentyRemain(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, rateLimitServer(t, 1000, 900, 60).URL, nil)
	if elapsed := burst(t, c, 20); elapsed > 2*time.Second {
		t.Errorf("20 unpaced requests took %s", elapsed)
	}
	if c.pacer.adaptive.Limit() != rate.Inf {
		t.Errorf("limit %v, want unlimited", c.pacer.adaptive.Limit())
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

func TestPacingWaitPastDeadlineFailsUnsent(t *testing.T) {
	t.Parallel()
	c, logger := newTestClient(t, rateLimitServer(t, 1000, 900, 60).URL, func(cfg *Config) { cfg.RequestsPerMinute = 1 })
	if _, err := c.GetApp(context.Background(), testAppID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"openid"}})
	if time.Since(start) > 500*time.Millisecond {
		t.Errorf("a pacing wait past the deadline should fail at once")
	}
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || MayHaveApplied(err) {
		t.Fatalf("want an unsent RequestError, got %v", err)
	}
	if n := logger.count("WARN retrying"); n != 0 {
		t.Errorf("a pacing wait that cannot fit was retried %d times", n)
	}
}
