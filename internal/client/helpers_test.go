package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testBearerToken is the admin token of the test emulators; tests assert it
// never shows up in an error or a log line.
const testBearerToken = "test-admin-bearer-token-5f2c9a"

// recordingLogger keeps every log line, for assertions and secret scans.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("DEBUG", msg, fields)
}

func (l *recordingLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("WARN", msg, fields)
}

func (l *recordingLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *recordingLogger) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func (l *recordingLogger) count(prefix string) int {
	n := 0
	for _, line := range l.all() {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}

// newTestClient builds a client for serverURL with fast retries; edit adjusts
// the config first.
func newTestClient(t testing.TB, serverURL string, edit func(*Config)) (*Client, *recordingLogger) {
	t.Helper()
	logger := &recordingLogger{}
	cfg := Config{
		ServerURL:    serverURL,
		BearerToken:  testBearerToken,
		UserAgent:    "client-test",
		MaxRetries:   3,
		Logger:       logger,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, logger
}

// newServedClient serves h until the test ends and returns a test client
// for it, as newTestClient makes them.
func newServedClient(t testing.TB, h http.Handler, edit func(*Config)) (*Client, *recordingLogger) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return newTestClient(t, srv.URL, edit)
}

// countingHandler answers every request with respond and counts them.
type countingHandler struct {
	mu      sync.Mutex
	calls   int
	respond func(w http.ResponseWriter, r *http.Request, call int)
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.calls++
	call := h.calls
	h.mu.Unlock()
	h.respond(w, r, call)
}

func (h *countingHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls
}

// assertNoSecrets fails when s holds any of the secrets.
func assertNoSecrets(t testing.TB, what, s string, secrets ...string) {
	t.Helper()
	for _, secret := range append(secrets, testBearerToken) {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("%s contains a secret: %q", what, s)
		}
	}
}
