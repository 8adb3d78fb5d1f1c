package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The request path's budgets, counted in sends (never timed): each test
// names the defect of issue 18 it pins.

// TestInterruptSendsNothingNew: once the caller's context is cancelled (a
// Ctrl-C), only the attempt already on the wire may finish: a suspend
// answered 503, or a create answered 429, after the interrupt is neither
// sent again nor confirmed with a GET.
func TestInterruptSendsNothingNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		run    func(context.Context, *Client) error
	}{
		{"suspend answered 503", http.StatusServiceUnavailable, func(ctx context.Context, c *Client) error {
			_, err := c.SuspendApp(ctx, testAppID)
			return err
		}},
		{"create answered 429", http.StatusTooManyRequests, func(ctx context.Context, c *Client) error {
			_, err := c.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"openid"}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, interrupt := context.WithCancel(context.Background())
			defer interrupt()
			h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, _ int) {
				interrupt() // Ctrl-C while the attempt is on the wire
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(tc.status)
			}}
			c, _ := newServedClient(t, h, nil)
			if err := tc.run(ctx, c); err == nil {
				t.Fatal("an interrupted request succeeded")
			}
			if n := h.count(); n != 1 {
				t.Errorf("%d requests reached the server, want the one on the wire when interrupted", n)
			}
		})
	}
}

// TestBrokenAnswersShareTheRetryBudget: a request whose answers are 503s
// and cut-off successes is sent at most max_retries+1 times in all, not
// max_retries+1 times per repeat of the broken answer.
func TestBrokenAnswersShareTheRetryBudget(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, call int) {
		if call%4 != 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(appJSON[:40])) // cut off
	}}
	c, _ := newServedClient(t, h, nil) // MaxRetries 3
	if _, err := c.GetApp(context.Background(), testAppID); err == nil {
		t.Fatal("a cut-off answer decoded")
	}
	if n := h.count(); n != 4 {
		t.Errorf("%d sends, want 4 (max_retries 3, plus the first)", n)
	}
}

// TestNoStaleAnswer: each attempt decodes into a fresh value, so a broken
// first answer cannot leave behind what a later answer lacks.
func TestNoStaleAnswer(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, call int) {
		w.Header().Set("Content-Type", "application/json")
		if call == 1 {
			_, _ = w.Write([]byte(`{"message":"m","app":{"id":"` + testAppID + `","name":5}}`))
			return
		}
		_, _ = w.Write([]byte(`{"message":"m"}`))
	}}
	c, _ := newServedClient(t, h, nil)
	app, err := c.SuspendApp(context.Background(), testAppID)
	var decErr *DecodeError
	if !errors.As(err, &decErr) {
		t.Fatalf("SuspendApp = %+v, %v; want a DecodeError for the answer without an app", app, err)
	}
}

// TestSilentServerFailsFast: a server that accepts the connection and never
// answers costs one retry of the attempt timeout, and the error says what
// happened.
func TestSilentServerFailsFast(t *testing.T) {
	t.Parallel()
	if defaultAttemptTimeout*time.Duration(1+maxSilentRetries) >= 45*time.Second {
		t.Errorf("by default a silent server costs %v before a read fails, want well under a minute",
			defaultAttemptTimeout*time.Duration(1+maxSilentRetries))
	}
	release := make(chan struct{})
	defer close(release)
	h := &countingHandler{respond: func(_ http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}}
	c, _ := newServedClient(t, h, func(cfg *Config) { cfg.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} })
	_, err := c.GetApp(context.Background(), testAppID)
	if err == nil || !strings.Contains(err.Error(), "accepted the connection") || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("err = %v, want one that says the server accepted the connection and sent no answer", err)
	}
	if n := h.count(); n != 1+maxSilentRetries {
		t.Errorf("%d sends, want %d", n, 1+maxSilentRetries)
	}
}

// TestRateLimitWaitsDoNotSpendRetries: 429s are waited out while the
// operation's deadline allows, whatever max_retries is.
func TestRateLimitWaitsDoNotSpendRetries(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, call int) {
		w.Header().Set("Content-Type", "application/json")
		if call <= 8 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many OAuth client requests"}}`))
			return
		}
		_, _ = w.Write([]byte(appJSON))
	}}
	c, _ := newServedClient(t, h, nil) // MaxRetries 3
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.GetApp(ctx, testAppID); err != nil {
		t.Fatalf("GetApp after 8 rate-limited answers: %v", err)
	}
	if n := h.count(); n != 9 {
		t.Errorf("%d sends, want 9", n)
	}
}
