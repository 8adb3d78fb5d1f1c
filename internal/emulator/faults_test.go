package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
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
	resp, err := h.srv.Client().Do(hr)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	// The server side gives up too: the app is never created.
	time.Sleep(50 * time.Millisecond)
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); got != "" {
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

// TestNewRejectsUnwritableDataFile: a data file whose directory is missing
// fails at start with the reason, not as a 500 on every later write; the
// check leaves nothing behind.
func TestNewRejectsUnwritableDataFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing", "state.json")
	if _, err := emulator.New(emulator.Config{DataFile: missing}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing directory: %v", err)
	}
	dir := t.TempDir()
	emu, err := emulator.New(emulator.Config{DataFile: filepath.Join(dir, "state.json")})
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != "state.json" {
		t.Fatalf("directory holds %v", entries)
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

// send sends a request as h.do does, but hands back the response or the
// error as they are, for faults that break the answer.
func send(ctx context.Context, h *harness, method, path, body string) (*http.Response, error) {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	hr.Header.Set("Authorization", "Bearer "+adminToken)
	if body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	return h.srv.Client().Do(hr)
}

// appStatus is the status of an app as its owner sees it ("" once deleted).
func appStatus(h *harness, id string) string {
	h.t.Helper()
	r := h.do(req{method: "GET", path: "/oauth-clients/" + id, token: adminToken})
	if r.status == http.StatusNotFound {
		return ""
	}
	return dig[string](r.json, "status")
}

const createBody = `{"name":"applied","allowedScopes":["kb:read"],"allowedGrantTypes":["client_credentials"]}`

// TestFaultApplyThenStatus: the change is made, the real answer is replaced
// by an error in the envelope, with Retry-After when asked.
func TestFaultApplyThenStatus(t *testing.T) {
	h := newHarness(t, emuConfig())
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, ApplyThenStatus: 500})
	r := h.do(req{method: "POST", path: "/oauth-clients", token: adminToken, body: ccApp("made")})
	if r.status != 500 || r.raw != `{"error":{"code":"INTERNAL_ERROR","message":"An unexpected error occurred"}}` {
		t.Errorf("create: %d %s", r.status, r.raw)
	}
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); got != "made" {
		t.Fatalf("create not applied: %q", got)
	}
	app := h.createApp(adminToken, ccApp("other"))
	id := app["id"].(string)

	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteSuspendApp, ApplyThenStatus: 503, RetryAfter: 2 * time.Second})
	r = h.do(req{method: "POST", path: "/oauth-clients/" + id + "/suspend", token: adminToken})
	if r.status != 503 || r.header.Get("Retry-After") != "2" || r.raw != `{"error":{"code":"HTTP_SERVICE_UNAVAILABLE","message":"Service Unavailable"}}` {
		t.Errorf("suspend: %d %v %s", r.status, r.header, r.raw)
	}
	if got := appStatus(h, id); got != "suspended" {
		t.Errorf("suspend not applied: %q", got)
	}

	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteDeleteApp, ApplyThenStatus: 504, Code: "GATEWAY", Message: "upstream timed out"})
	r = h.do(req{method: "DELETE", path: "/oauth-clients/" + id, token: adminToken})
	if r.status != 504 || r.raw != `{"error":{"code":"GATEWAY","message":"upstream timed out"}}` {
		t.Errorf("delete: %d %s", r.status, r.raw)
	}
	if got := appStatus(h, id); got != "" {
		t.Errorf("delete not applied: app still %q", got)
	}
	// A rejected request stays rejected: nothing to apply, the status is still faked.
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteDeleteApp, ApplyThenStatus: 502})
	if r = h.do(req{method: "DELETE", path: "/oauth-clients/" + id, token: adminToken}); r.status != 502 || r.errCode() != "HTTP_BAD_GATEWAY" {
		t.Errorf("delete of a deleted app: %d %s", r.status, r.raw)
	}
	if c := h.emu.CallCounts(); c[emulator.RouteCreateApp] != 2 || c[emulator.RouteSuspendApp] != 1 || c[emulator.RouteDeleteApp] != 2 {
		t.Errorf("counters %v", c)
	}
}

// TestFaultApplyThenHang: the change is made at once, the answer comes
// after the hang; a client giving up ends the hang, the change staying.
func TestFaultApplyThenHang(t *testing.T) {
	h := newHarness(t, emuConfig())
	id := h.createApp(adminToken, ccApp("slow"))["id"].(string)
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteSuspendApp, ApplyThenHang: 150 * time.Millisecond})
	start := time.Now()
	r := h.do(req{method: "POST", path: "/oauth-clients/" + id + "/suspend", token: adminToken})
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Errorf("answered after %v", elapsed)
	}
	if r.status != 200 || r.json["message"] != "OAuth app suspended successfully" || dig[string](r.json, "app", "status") != "suspended" {
		t.Errorf("suspend: %d %s", r.status, r.raw)
	}

	// A hang forever, which the client ends. The server tells when the
	// request's handler returns.
	returned := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			defer func() { returned <- struct{}{} }()
		}
		h.emu.ServeHTTP(w, r)
	}))
	h.srv, h.url = srv, srv.URL+"/api/v1"
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, ApplyThenHang: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	resp, err := send(ctx, h, "POST", "/oauth-clients", createBody)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); got != "applied slow" && got != "slow applied" {
		t.Errorf("hung create not applied: %q", got)
	}
	// The handler stopped waiting and sent nothing.
	select {
	case <-returned:
		srv.Close()
	case <-time.After(2 * time.Second):
		t.Fatal("the hung request is still waiting after its client left") // and srv is left open: closing it would wait for that request
	}
}

// TestFaultApplyThenBody: the change is made and the real status sent,
// with half the body: cut short on the wire, or complete but not JSON.
func TestFaultApplyThenBody(t *testing.T) {
	h := newHarness(t, emuConfig())
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, ApplyThenBody: emulator.BodyTruncated})
	resp, err := send(context.Background(), h, "POST", "/oauth-clients", createBody)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: %d, read error %v", resp.StatusCode, err)
	}
	if resp.ContentLength < 100 || int64(len(raw)) != resp.ContentLength/2 || !strings.HasPrefix(string(raw), `{"message":"OAuth app created successfully","app":{`) {
		t.Errorf("truncated: Content-Length %d, got %d bytes %q", resp.ContentLength, len(raw), raw)
	}
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); got != "applied" {
		t.Fatalf("truncated create not applied: %q", got)
	}
	id := h.do(req{method: "GET", path: "/oauth-clients", token: adminToken}).json["data"].([]any)[0].(map[string]any)["id"].(string)

	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteSuspendApp, ApplyThenBody: emulator.BodyMalformed})
	resp, err = send(context.Background(), h, "POST", "/oauth-clients/"+id+"/suspend", "")
	if err != nil {
		t.Fatal(err)
	}
	raw, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || int64(len(raw)) != resp.ContentLength || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("malformed: %d, %d of %d bytes, %v", resp.StatusCode, len(raw), resp.ContentLength, err)
	}
	if json.Valid(raw) || !strings.HasPrefix(string(raw), `{"message":"OAuth app suspended successfully","app":{`) {
		t.Errorf("malformed body %q", raw)
	}
	if got := appStatus(h, id); got != "suspended" {
		t.Errorf("malformed suspend not applied: %q", got)
	}
}

// TestFaultAppID: an aimed fault hits only its app (whatever the case of
// the id in the path); other apps' requests neither fail nor use it up.
func TestFaultAppID(t *testing.T) {
	h := newHarness(t, emuConfig())
	a := h.createApp(adminToken, ccApp("a"))["id"].(string)
	b := h.createApp(adminToken, ccApp("b"))["id"].(string)
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteSuspendApp, AppID: strings.ToUpper(b), Status: 500})
	if r := h.do(req{method: "POST", path: "/oauth-clients/" + a + "/suspend", token: adminToken}); r.status != 200 {
		t.Errorf("other app: %d %s", r.status, r.raw)
	}
	if r := h.do(req{method: "POST", path: "/oauth-clients/" + b + "/suspend", token: adminToken}); r.status != 500 {
		t.Errorf("aimed app: %d %s", r.status, r.raw)
	}
	if got := appStatus(h, b); got != "active" {
		t.Errorf("a status fault applied the suspend: %q", got)
	}
	if r := h.do(req{method: "POST", path: "/oauth-clients/" + b + "/suspend", token: adminToken}); r.status != 200 {
		t.Errorf("aimed app after its fault: %d %s", r.status, r.raw)
	}
	if got := h.emu.Calls(emulator.RouteSuspendApp); got != 3 {
		t.Errorf("suspends counted: %d", got)
	}
}

// TestFaultAfter: After lets the first requests through and aims at the
// next ones; it counts only the requests the fault matches.
func TestFaultAfter(t *testing.T) {
	h := newHarness(t, emuConfig())
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, After: 2, Count: 2, ApplyThenStatus: 500})
	var statuses []int
	for i := range 5 {
		statuses = append(statuses, h.do(req{method: "POST", path: "/oauth-clients", token: adminToken, body: ccApp(strconv.Itoa(i))}).status)
	}
	if fmt.Sprint(statuses) != "[201 201 500 500 201]" {
		t.Errorf("statuses %v", statuses)
	}
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); len(strings.Fields(got)) != 5 {
		t.Errorf("every create applied: %q", got)
	}

	// Aimed at the second suspend of app b: suspends of a do not count.
	list := h.do(req{method: "GET", path: "/oauth-clients", token: adminToken}).json["data"].([]any)
	a, b := list[0].(map[string]any)["id"].(string), list[1].(map[string]any)["id"].(string)
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteSuspendApp, AppID: b, After: 1, Status: 503})
	steps := []struct {
		path string
		want int
	}{
		{"/oauth-clients/" + a + "/suspend", 200},
		{"/oauth-clients/" + b + "/suspend", 200},
		{"/oauth-clients/" + a + "/activate", 200},
		{"/oauth-clients/" + a + "/suspend", 200},
		{"/oauth-clients/" + b + "/suspend", 503},
		{"/oauth-clients/" + b + "/suspend", 400}, // already suspended: the fault is used up
	}
	for i, s := range steps {
		if r := h.do(req{method: "POST", path: s.path, token: adminToken}); r.status != s.want {
			t.Errorf("step %d %s: %d %s, want %d", i, s.path, r.status, r.raw, s.want)
		}
	}

	// Faults ready for the same request: the first injected answers, the
	// other waits; a fault waiting out its After counts every request.
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteListScopes, Status: 500})
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteListScopes, After: 1, Status: 503})
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteListScopes, After: 1, Status: 502})
	statuses = statuses[:0]
	for range 4 {
		statuses = append(statuses, h.do(req{method: "GET", path: "/oauth-clients/scopes", token: adminToken}).status)
	}
	if fmt.Sprint(statuses) != "[500 503 502 200]" {
		t.Errorf("statuses %v", statuses)
	}
}

// TestFaultCombinations: Delay comes before an outcome; a fault with two
// outcomes, or aimed at an app on a route without one, is refused.
func TestFaultCombinations(t *testing.T) {
	h := newHarness(t, emuConfig())
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Delay: 80 * time.Millisecond, ApplyThenStatus: 502})
	start := time.Now()
	if r := h.do(req{method: "POST", path: "/oauth-clients", token: adminToken, body: ccApp("late")}); r.status != 502 || time.Since(start) < 80*time.Millisecond {
		t.Errorf("delay then status: %d after %v", r.status, time.Since(start))
	}
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); got != "late" {
		t.Errorf("not applied: %q", got)
	}
	for _, f := range []emulator.Fault{
		{Route: emulator.RouteCreateApp, Status: 500, ApplyThenStatus: 500},
		{Route: emulator.RouteCreateApp, DropAfterApply: true, ApplyThenBody: emulator.BodyMalformed},
		{Route: emulator.RouteCreateApp, ApplyThenHang: time.Second, ApplyThenBody: emulator.BodyTruncated},
		{Route: emulator.RouteCreateApp, AppID: strings.Repeat("a", 24), Status: 500},
		{Route: emulator.RouteGetApp, After: -1, Status: 500},
		{Route: emulator.RouteGetApp, ApplyThenBody: emulator.BodyFault(9)},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("accepted %+v", f)
				}
			}()
			h.emu.InjectFault(f)
		}()
	}
	if r := h.do(req{method: "GET", path: "/oauth-clients/" + strings.Repeat("a", 24), token: adminToken}); r.status != 404 {
		t.Errorf("a refused fault was queued: %d", r.status)
	}
}
