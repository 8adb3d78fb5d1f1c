package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestRateLimit covers the per-user limiter of /oauth-clients/* (internal/emulator/README.md §3.5):
// draft-6 headers on every response past auth, 429 envelope with
// retryAfter and Retry-After, per-user keys, and the window reset.
func TestRateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 8, 22, 12, 0, 0, 0, time.UTC)}
	h := newHarness(t, emulator.Config{Tokens: testUsers(), RateLimit: 3, RateWindow: 30 * time.Second})
	h.emu.SetClock(clock.Now)
	get := func(token, path string) *response { return h.do(req{method: "GET", path: path, token: token}) }

	for i, path := range []string{"/oauth-clients", "/oauth-clients/scopes", "/oauth-clients/bad"} {
		resp := get(adminToken, path)
		wantRemaining := []string{"2", "1", "0"}[i]
		if resp.header.Get("RateLimit-Limit") != "3" || resp.header.Get("RateLimit-Remaining") != wantRemaining ||
			resp.header.Get("RateLimit-Reset") != "30" || resp.header.Get("RateLimit-Policy") != "3;w=30" || resp.header.Get("Retry-After") != "" {
			t.Fatalf("request %d headers: %v", i, resp.header)
		}
		if resp.header.Get("X-RateLimit-Limit") != "" {
			t.Fatal("no legacy headers")
		}
	}
	clock.Advance(10 * time.Second)
	resp := get(adminToken, "/oauth-clients")
	if resp.status != http.StatusTooManyRequests || resp.raw !=
		`{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many OAuth client requests. Please try again later.","retryAfter":20}}` {
		t.Fatalf("429: %d %s", resp.status, resp.raw)
	}
	if resp.header.Get("Retry-After") != "20" || resp.header.Get("RateLimit-Remaining") != "0" || resp.header.Get("RateLimit-Reset") != "20" {
		t.Fatalf("429 headers: %v", resp.header)
	}
	// Other users have their own budget; 401s never reach the limiter.
	if r := get(memberToken, "/oauth-clients"); r.status != 200 || r.header.Get("RateLimit-Remaining") != "2" {
		t.Fatalf("member: %d %v", r.status, r.header)
	}
	// A 401 never reaches the per-user limiter: it carries the global
	// limiter's headers instead.
	if r := get("", "/oauth-clients"); r.status != 401 || r.header.Get("RateLimit-Limit") != "1000" || r.header.Get("RateLimit-Policy") != "1000;w=60" {
		t.Fatalf("401 must come before the per-user limiter: %d %v", r.status, r.header)
	}
	// The token endpoint has its own per-IP limiter with the same headers.
	if r := h.token("x", "y", nil); r.status != 401 || r.header.Get("RateLimit-Remaining") != "2" {
		t.Fatalf("token limiter: %d %v", r.status, r.header)
	}
	clock.Advance(20 * time.Second)
	if r := get(adminToken, "/oauth-clients"); r.status != 200 || r.header.Get("RateLimit-Remaining") != "2" {
		t.Fatalf("after the window: %d %v", r.status, r.header)
	}
}

// TestTokenRateLimitPerIP: /oauth2/token is limited by client IP (first
// X-Forwarded-For entry) and answers 429 in the app envelope.
func TestTokenRateLimitPerIP(t *testing.T) {
	h := newHarness(t, emulator.Config{Tokens: testUsers(), RateLimit: 1})
	from := func(ip string) *response {
		return h.do(req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "client_credentials"},
			header: http.Header{"X-Forwarded-For": {ip + ", 10.0.0.1"}}})
	}
	if r := from("203.0.113.1"); r.status != 401 {
		t.Fatalf("first: %d %s", r.status, r.raw)
	}
	r := from("203.0.113.1")
	if r.status != 429 || r.errCode() != "HTTP_TOO_MANY_REQUESTS" || r.header.Get("Retry-After") == "" || dig[float64](r.json, "error", "retryAfter") == 0 {
		t.Fatalf("second: %d %s", r.status, r.raw)
	}
	if r := from("203.0.113.2"); r.status != 401 {
		t.Fatalf("other IP: %d %s", r.status, r.raw)
	}
}

// TestGlobalRateLimit covers PipesHub's global limiter: per client IP (the
// first X-Forwarded-For address), before authentication, shared by every
// user behind the address, with its own 429 message; its headers are on
// every answer that does not reach a later limiter.
func TestGlobalRateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 8, 22, 12, 0, 0, 0, time.UTC)}
	h := newHarness(t, emulator.Config{Tokens: testUsers(), GlobalRateLimit: 4, GlobalRateWindow: 20 * time.Second})
	h.emu.SetClock(clock.Now)
	from := func(ip string, r req) *response {
		if ip != "" {
			r.header = http.Header{"X-Forwarded-For": {ip + ", 10.0.0.1"}}
		}
		return h.do(r)
	}
	globalHeaders := func(r *response, remaining string) bool {
		return r.header.Get("RateLimit-Policy") == "4;w=20" && r.header.Get("RateLimit-Limit") == "4" &&
			r.header.Get("RateLimit-Remaining") == remaining && r.header.Get("RateLimit-Reset") != ""
	}

	// Two users and an anonymous caller share one address's budget. Answers
	// that reach the per-user limiter carry its headers instead.
	if r := from("", req{method: "GET", path: "/oauth-clients", token: adminToken}); r.status != 200 || r.header.Get("RateLimit-Limit") != "1000" || r.header.Get("RateLimit-Remaining") != "999" {
		t.Fatalf("admin: %d %v", r.status, r.header)
	}
	if r := from("", req{method: "GET", path: "/oauth-clients", token: memberToken}); r.status != 200 || r.header.Get("RateLimit-Remaining") != "999" {
		t.Fatalf("member: %d %v", r.status, r.header)
	}
	if r := from("", req{method: "GET", path: "/oauth-clients"}); r.status != 401 || !globalHeaders(r, "1") {
		t.Fatalf("401: %d %v", r.status, r.header)
	}
	if r := from("", req{method: "GET", path: "/nothing"}); r.status != 200 || !globalHeaders(r, "0") {
		t.Fatalf("unknown path: %d %v", r.status, r.header)
	}
	clock.Advance(5 * time.Second)
	for _, r := range []req{
		{method: "GET", path: "/oauth-clients", token: otherAdminToken},
		{method: "GET", path: "/oauth-clients"},
		{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "client_credentials"}},
		{method: "GET", path: "/nothing"},
	} {
		resp := from("", r)
		if resp.status != http.StatusTooManyRequests || resp.raw !=
			`{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many requests. Please try again later.","retryAfter":15}}` {
			t.Fatalf("%s %s over the global limit: %d %s", r.method, r.path, resp.status, resp.raw)
		}
		if !globalHeaders(resp, "0") || resp.header.Get("Retry-After") != "15" || resp.header.Get("RateLimit-Reset") != "15" {
			t.Fatalf("%s %s 429 headers: %v", r.method, r.path, resp.header)
		}
	}
	// Another address, named by the first X-Forwarded-For entry, has its own budget.
	if r := from("203.0.113.7", req{method: "GET", path: "/oauth-clients", token: adminToken}); r.status != 200 || r.header.Get("RateLimit-Remaining") != "998" {
		t.Fatalf("other address: %d %v", r.status, r.header)
	}
	// The global 429 came before authentication and counted for no user.
	if r := from("203.0.113.7", req{method: "GET", path: "/oauth-clients", token: otherAdminToken}); r.status != 200 || r.header.Get("RateLimit-Remaining") != "999" {
		t.Fatalf("other admin from another address: %d %v", r.status, r.header)
	}
	if r := from("203.0.113.7", req{method: "GET", path: "/oauth-clients"}); r.status != 401 || !globalHeaders(r, "1") {
		t.Fatalf("other address 401: %d %v", r.status, r.header)
	}
	clock.Advance(15 * time.Second)
	if r := from("", req{method: "GET", path: "/oauth-clients"}); r.status != 401 || !globalHeaders(r, "3") {
		t.Fatalf("after the window: %d %v", r.status, r.header)
	}
}
