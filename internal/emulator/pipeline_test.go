package emulator_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPipelineOrder covers which error wins (internal/emulator/README.md §3): body parser,
// XSS layer, authentication, validation, lookup.
func TestPipelineOrder(t *testing.T) {
	h := newHarness(t, emuConfig())
	xssMsg := "HTML tags, scripts, and XSS content are not allowed. Please remove any HTML tags and try again."
	tests := []struct {
		name       string
		r          req
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"malformed JSON is a 500 even without a token", req{method: "POST", path: "/oauth-clients", body: `{"name":`}, 500, "INTERNAL_ERROR", "An unexpected error occurred"},
		{"JSON primitive body is a 500", req{method: "POST", path: "/oauth-clients", token: adminToken, body: `"x"`}, 500, "INTERNAL_ERROR", "An unexpected error occurred"},
		{"XSS before auth", req{method: "POST", path: "/oauth-clients", body: map[string]any{"name": "<b>hi</b>"}}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"XSS in query", req{method: "GET", path: "/oauth-clients?search=%3Cscript%3E", token: adminToken}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"XSS unclosed script", req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{"name": "<script"}}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"XSS event handler", req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{"description": "x onerror=alert(1)"}}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"XSS javascript URL", req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{"homepageUrl": "javascript:alert(1)"}}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"XSS data:text/html", req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{"homepageUrl": "data:text/html,hi"}}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"XSS encoded script", req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{"name": "&lt;script&gt;"}}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"XSS nested in array", req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{"allowedScopes": []string{"<i>"}}}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"XSS string over 100000 chars", req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{"description": strings.Repeat("a", 100001)}}, 400, "HTTP_BAD_REQUEST", xssMsg},
		{"path parameter is not XSS-filtered", req{method: "GET", path: "/oauth-clients/%3Cb%3E", token: adminToken}, 400, "VALIDATION_ERROR", "Invalid App ID"},
		{"no Authorization header", req{method: "GET", path: "/oauth-clients"}, 401, "HTTP_UNAUTHORIZED", "No token provided"},
		{"other scheme", req{method: "GET", path: "/oauth-clients", header: http.Header{"Authorization": {"Basic YTpi"}}}, 401, "HTTP_UNAUTHORIZED", "No token provided"},
		{"lowercase bearer", req{method: "GET", path: "/oauth-clients", header: http.Header{"Authorization": {"bearer " + adminToken}}}, 401, "HTTP_UNAUTHORIZED", "No token provided"},
		{"empty bearer", req{method: "GET", path: "/oauth-clients", header: http.Header{"Authorization": {"Bearer "}}}, 401, "HTTP_UNAUTHORIZED", "No token provided"},
		{"unknown token", req{method: "GET", path: "/oauth-clients", token: "nope"}, 401, "HTTP_UNAUTHORIZED", "Invalid token"},
		{"auth before validation", req{method: "GET", path: "/oauth-clients/bad", token: "nope"}, 401, "HTTP_UNAUTHORIZED", "Invalid token"},
		{"invalid app id", req{method: "GET", path: "/oauth-clients/bad", token: adminToken}, 400, "VALIDATION_ERROR", "Invalid App ID"},
		{"23 hex is an invalid app id", req{method: "DELETE", path: "/oauth-clients/" + strings.Repeat("a", 23), token: adminToken}, 400, "VALIDATION_ERROR", "Invalid App ID"},
		{"missing app", req{method: "GET", path: "/oauth-clients/" + strings.Repeat("a", 24), token: adminToken}, 404, "HTTP_NOT_FOUND", "OAuth app not found"},
		{"uppercase hex passes the regex", req{method: "POST", path: "/oauth-clients/" + strings.Repeat("A", 24) + "/suspend", token: adminToken}, 404, "HTTP_NOT_FOUND", "OAuth app not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(tt.r)
			if resp.status != tt.wantStatus || resp.errCode() != tt.wantCode || resp.errMessage() != tt.wantMsg {
				t.Fatalf("got %d %s %q, want %d %s %q", resp.status, resp.errCode(), resp.errMessage(), tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
			if len(resp.json) != 1 || len(dig[map[string]any](resp.json, "error")) != 2 {
				t.Fatalf("envelope must be exactly {error:{code,message}}: %s", resp.raw)
			}
		})
	}
}

// TestTrimAndEscape covers the XSS layer's cleaning of accepted strings:
// the xss library, then the trim (more cases in TestPipesHubDifferences).
func TestTrimAndEscape(t *testing.T) {
	h := newHarness(t, emuConfig())
	body := ccApp("  padded name \t")
	body["description"] = "  a > b and c >= d  "
	body["allowedScopes"] = []string{" kb:read "}
	app := h.createApp(adminToken, body)
	if app["name"] != "padded name" || app["description"] != "a &gt; b and c &gt;= d" || app["allowedScopes"].([]any)[0] != "kb:read" {
		t.Fatalf("strings not trimmed and escaped: %v", app)
	}
	// Query strings are trimmed too: a padded search still matches.
	resp := h.do(req{method: "GET", path: "/oauth-clients?search=%20PADDED%20", token: adminToken})
	if len(resp.json["data"].([]any)) != 1 {
		t.Fatalf("search: %s", resp.raw)
	}
}

// TestIsolation: apps are visible only to their creator, even for admins
// of the same org, and every route answers 404 for someone else's app.
func TestIsolation(t *testing.T) {
	h := newHarness(t, emuConfig())
	app := h.createApp(adminToken, ccApp("mine"))
	id := app["id"].(string)
	for _, r := range []req{
		{method: "GET", path: "/oauth-clients/" + id},
		{method: "PUT", path: "/oauth-clients/" + id, body: map[string]any{"name": "stolen"}},
		{method: "DELETE", path: "/oauth-clients/" + id},
		{method: "POST", path: "/oauth-clients/" + id + "/regenerate-secret"},
		{method: "POST", path: "/oauth-clients/" + id + "/suspend"},
		{method: "POST", path: "/oauth-clients/" + id + "/activate"},
		{method: "GET", path: "/oauth-clients/" + id + "/tokens"},
		{method: "POST", path: "/oauth-clients/" + id + "/revoke-all-tokens"},
	} {
		for _, token := range []string{otherAdminToken, memberToken} {
			r.token = token
			if resp := h.do(r); resp.status != 404 || resp.errCode() != "HTTP_NOT_FOUND" || resp.errMessage() != "OAuth app not found" {
				t.Errorf("%s %s as %s: %d %s", r.method, r.path, token, resp.status, resp.raw)
			}
		}
	}
	list := h.do(req{method: "GET", path: "/oauth-clients", token: otherAdminToken})
	if dig[float64](list.json, "pagination", "total") != 0 {
		t.Errorf("another admin lists my app: %s", list.raw)
	}
	if got := h.do(req{method: "GET", path: "/oauth-clients/" + id, token: adminToken}); got.json["name"] != "mine" {
		t.Errorf("owner lost the app: %s", got.raw)
	}
}

// TestUnmatchedPaths: unknown sub-paths are never JSON (internal/emulator/README.md §8).
func TestUnmatchedPaths(t *testing.T) {
	h := newHarness(t, emuConfig())
	tests := []struct {
		method, path string
		wantStatus   int
		wantBody     string
	}{
		{"GET", "/oauth-clients/" + strings.Repeat("a", 24) + "/nothing", 200, "<!doctype html>"},
		{"POST", "/oauth-clients/" + strings.Repeat("a", 24) + "/nothing", 404, "Cannot POST /api/v1/oauth-clients/" + strings.Repeat("a", 24) + "/nothing"},
		{"PATCH", "/oauth-clients/" + strings.Repeat("a", 24), 404, "Cannot PATCH"},
		{"GET", "/oauth2/token", 200, "<!doctype html>"},
	}
	for _, tt := range tests {
		resp := h.do(req{method: tt.method, path: tt.path, token: adminToken})
		if resp.status != tt.wantStatus || !strings.HasPrefix(resp.header.Get("Content-Type"), "text/html") || !strings.Contains(resp.raw, tt.wantBody) {
			t.Errorf("%s %s: %d %s %q", tt.method, tt.path, resp.status, resp.header.Get("Content-Type"), resp.raw)
		}
	}
	if n := len(h.emu.CallCounts()); n != 0 {
		t.Errorf("unmatched requests were counted: %v", h.emu.CallCounts())
	}
}
