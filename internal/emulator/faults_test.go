package emulator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestFaultStatus: a status fault answers Count requests in the envelope,
// with Retry-After when asked, then the route works again.
func TestFaultStatus(t *testing.T) {
	h := newHarness(t, emuConfig())
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Count: 2, Status: 503, RetryAfter: 1500 * time.Millisecond})
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 429, RetryAfter: 3 * time.Second})
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Status: 500, Code: "CUSTOM", Message: "boom"})
	for i, want := range []string{
		`503 2 {"error":{"code":"HTTP_SERVICE_UNAVAILABLE","message":"Service Unavailable"}}`,
		`503 2 {"error":{"code":"HTTP_SERVICE_UNAVAILABLE","message":"Service Unavailable"}}`,
		`429 3 {"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many OAuth client requests. Please try again later.","retryAfter":3}}`,
		`200  {"data":[],"pagination":{"page":1,"limit":20,"total":0,"totalPages":0}}`,
	} {
		r := h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})
		if got := strings.Join([]string{strconv.Itoa(r.status), r.header.Get("Retry-After"), r.raw}, " "); got != want {
			t.Errorf("request %d: %s, want %s", i, got, want)
		}
	}
	r := h.do(req{method: "POST", path: "/oauth-clients", token: adminToken, body: ccApp("x")})
	if r.raw != `{"error":{"code":"CUSTOM","message":"boom"}}` {
		t.Errorf("custom fault: %s", r.raw)
	}
	if got := h.do(req{method: "GET", path: "/oauth-clients", token: adminToken}); dig[float64](got.json, "pagination", "total") != 0 {
		t.Errorf("a status fault must not apply the request: %s", got.raw)
	}
	if h.emu.Calls(emulator.RouteListApps) != 5 || h.emu.Calls(emulator.RouteCreateApp) != 1 {
		t.Errorf("counters %v", h.emu.CallCounts())
	}
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteGetApp, Status: 500})
	h.emu.ClearFaults()
	h.emu.ResetCalls()
	if r := h.do(req{method: "GET", path: "/oauth-clients/" + strings.Repeat("a", 24), token: adminToken}); r.status != 404 {
		t.Errorf("cleared fault still fires: %d", r.status)
	}
	if counts := h.emu.CallCounts(); len(counts) != 1 || counts[emulator.RouteGetApp] != 1 {
		t.Errorf("counters after reset %v", counts)
	}
}

// TestFaultDropAfterApply: the change is made, the client gets no response.
func TestFaultDropAfterApply(t *testing.T) {
	h := newHarness(t, emuConfig())
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
	hr, _ := http.NewRequest("POST", h.url+"/oauth-clients", strings.NewReader(`{"name":"lost","allowedScopes":["kb:read"],"allowedGrantTypes":["client_credentials"]}`))
	hr.Header.Set("Authorization", "Bearer "+adminToken)
	hr.Header.Set("Content-Type", "application/json")
	resp, err := h.srv.Client().Do(hr)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response %d, want a dropped connection", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
		t.Errorf("want EOF, got %v", err)
	}
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); got != "lost" {
		t.Fatalf("the request was not applied: %q", got)
	}
}

// TestFaultDelay: a delay holds the answer, and a cancelled request ends
// the wait at once.
func TestFaultDelay(t *testing.T) {
	h := newHarness(t, emuConfig())
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteListScopes, Delay: 100 * time.Millisecond})
	start := time.Now()
	if r := h.do(req{method: "GET", path: "/oauth-clients/scopes", token: adminToken}); r.status != 200 || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("delayed request: %d after %v", r.status, time.Since(start))
	}
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	hr, _ := http.NewRequestWithContext(ctx, "POST", h.url+"/oauth-clients", strings.NewReader(`{"name":"late","allowedScopes":["kb:read"],"allowedGrantTypes":["client_credentials"]}`))
	hr.Header.Set("Authorization", "Bearer "+adminToken)
	hr.Header.Set("Content-Type", "application/json")
	start = time.Now()
	resp, err := h.srv.Client().Do(hr)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	// The server side gives up too: the app is never created.
	time.Sleep(50 * time.Millisecond)
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); got != "" || time.Since(start) > 5*time.Second {
		t.Fatalf("cancelled request applied: %q", got)
	}
}

// TestConcurrentUse hammers the emulator from many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, emuConfig())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			token := []string{adminToken, memberToken}[i%2]
			app := h.createApp(token, ccApp("c"))
			h.do(req{method: "PUT", path: "/oauth-clients/" + app["id"].(string), token: token, body: map[string]any{"name": "d"}})
			h.token(app["clientId"].(string), app["clientSecret"].(string), nil)
			h.do(req{method: "GET", path: "/oauth-clients", token: token})
			h.emu.CallCounts()
		})
	}
	wg.Wait()
	if got := h.emu.Calls(emulator.RouteCreateApp); got != 8 {
		t.Fatalf("creates counted: %d", got)
	}
}

// TestPersistence: -data keeps apps, secrets, tokens and the slug counter
// across a restart, and the file is replaced atomically.
func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first, err := emulator.New(emulator.Config{Tokens: testUsers(), DataFile: path})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, emu: first}
	h.srv = newServer(t, first)
	h.url = h.srv.URL + "/api/v1"
	app := h.createApp(adminToken, ccApp("kept"))
	h.token(app["clientId"].(string), app["clientSecret"].(string), nil)
	h.srv.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if matches, _ := filepath.Glob(path + ".*.tmp"); len(matches) != 0 {
		t.Fatalf("temporary files left: %v", matches)
	}

	second := newHarness(t, emulator.Config{Tokens: testUsers(), DataFile: path})
	got := second.do(req{method: "GET", path: "/oauth-clients/" + app["id"].(string), token: adminToken})
	if got.json["name"] != "kept" || got.json["createdAt"] != app["createdAt"] {
		t.Fatalf("after restart: %s", got.raw)
	}
	if r := second.token(app["clientId"].(string), app["clientSecret"].(string), nil); r.status != 200 {
		t.Fatalf("secret after restart: %s", r.raw)
	}
	if n := len(second.do(req{method: "GET", path: "/oauth-clients/" + app["id"].(string) + "/tokens", token: adminToken}).json["tokens"].([]any)); n != 2 {
		t.Fatalf("tokens after restart: %d", n)
	}
	if next := second.createApp(adminToken, ccApp("next")); next["slug"] != "oauthapp-2" {
		t.Fatalf("slug counter after restart: %v", next["slug"])
	}
}

// TestNewRejectsBadUsers: users need 24-hex ids and a known role.
func TestNewRejectsBadUsers(t *testing.T) {
	for _, u := range []emulator.User{
		{ID: "alice", OrgID: emulator.DefaultOrgID, Role: "admin"},
		{ID: emulator.StableID("a"), OrgID: emulator.DefaultOrgID, Role: "owner"},
		{ID: emulator.StableID("a"), OrgID: "", Role: "member"},
	} {
		if _, err := emulator.New(emulator.Config{Tokens: map[string]emulator.User{"t": u}}); err == nil {
			t.Errorf("accepted %+v", u)
		}
	}
	emu, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, emu: emu, srv: newServer(t, emu)}
	h.url = h.srv.URL + "/api/v1"
	if r := h.do(req{method: "GET", path: "/oauth-clients/scopes", token: emulator.DefaultToken}); r.status != 200 || strings.Count(r.raw, `"name"`) != 39 {
		t.Fatalf("default admin token: %d", r.status)
	}
}
