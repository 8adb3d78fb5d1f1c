package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	hex24     = regexp.MustCompile(`^[0-9a-f]{24}$`)
	uuidV4    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	secret64  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	isoMillis = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
)

// TestCreateDefaultsAndFormats covers internal/emulator/README.md §4: generated values, defaults,
// omitted optional fields, the create envelope.
func TestCreateDefaultsAndFormats(t *testing.T) {
	h := newHarness(t, emuConfig())
	resp := h.do(req{method: "POST", path: "/oauth-clients", token: adminToken,
		body: map[string]any{"name": "defaults", "allowedScopes": []string{"openid"}, "redirectUris": []string{"https://a.example/cb"}}})
	if resp.status != http.StatusCreated || resp.json["message"] != "OAuth app created successfully" {
		t.Fatalf("create: %d %s", resp.status, resp.raw)
	}
	app := resp.json["app"].(map[string]any)
	checks := map[string]bool{
		"id is 24 hex":          hex24.MatchString(app["id"].(string)),
		"clientId is UUIDv4":    uuidV4.MatchString(app["clientId"].(string)),
		"secret is 64 hex":      secret64.MatchString(app["clientSecret"].(string)),
		"slug is oauthapp-1":    app["slug"] == "oauthapp-1",
		"status active":         app["status"] == "active",
		"default grants":        fmt.Sprint(app["allowedGrantTypes"]) == "[authorization_code refresh_token]",
		"confidential":          app["isConfidential"] == true,
		"access 3600":           app["accessTokenLifetime"] == 3600.0,
		"refresh 2592000":       app["refreshTokenLifetime"] == 2592000.0,
		"createdAt ISO ms":      isoMillis.MatchString(app["createdAt"].(string)),
		"updatedAt = createdAt": app["updatedAt"] == app["createdAt"],
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s: %v", name, app)
		}
	}
	for _, absent := range []string{"description", "homepageUrl", "privacyPolicyUrl", "termsOfServiceUrl", "logoUrl", "_id", "orgId", "createdBy"} {
		if _, ok := app[absent]; ok {
			t.Errorf("%s must be omitted: %v", absent, app)
		}
	}
	// The slug counter is global across users; names are not unique.
	second := h.createApp(memberToken, ccApp("defaults"))
	if second["slug"] != "oauthapp-2" || second["name"] != "defaults" {
		t.Errorf("second app: %v", second)
	}
	got := h.do(req{method: "GET", path: "/oauth-clients/" + app["id"].(string), token: adminToken})
	if _, ok := got.json["clientSecret"]; ok || got.json["id"] != app["id"] {
		t.Errorf("GET returns the bare app without secret: %s", got.raw)
	}
	// An empty grant list is stored as sent.
	empty := h.createApp(adminToken, map[string]any{"name": "no grants", "allowedScopes": []string{"openid"}, "allowedGrantTypes": []string{}, "isConfidential": false})
	if len(empty["allowedGrantTypes"].([]any)) != 0 || empty["isConfidential"] != false {
		t.Errorf("empty grants: %v", empty)
	}
}

// TestAppKeyOrder: an app's keys come in toAppResponse's order (internal/emulator/README.md
// §4), the secret last and only on create.
func TestAppKeyOrder(t *testing.T) {
	h := newHarness(t, emuConfig())
	resp := h.do(req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{
		"name": "ordered", "description": "d", "allowedScopes": []string{"openid"}, "redirectUris": []string{"https://a.example/cb"},
		"homepageUrl": "https://a.example", "privacyPolicyUrl": "https://a.example/p", "termsOfServiceUrl": "https://a.example/t",
	}})
	public := "id slug clientId name description redirectUris allowedGrantTypes allowedScopes status homepageUrl privacyPolicyUrl " +
		"termsOfServiceUrl isConfidential accessTokenLifetime refreshTokenLifetime createdAt updatedAt"
	var created struct {
		App orderedKeys `json:"app"`
	}
	if err := json.Unmarshal([]byte(resp.raw), &created); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(created.App, " "); got != public+" clientSecret" {
		t.Errorf("create: keys %s", got)
	}
	var got orderedKeys
	if err := json.Unmarshal([]byte(h.do(req{method: "GET", path: "/oauth-clients/" + dig[string](resp.json, "app", "id"), token: adminToken}).raw), &got); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != public {
		t.Errorf("get: keys %s", strings.Join(got, " "))
	}
}

// TestListPagination covers listAppsQuerySchema's coercion and the envelope.
func TestListPagination(t *testing.T) {
	h := newHarness(t, emuConfig())
	empty := h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})
	if empty.raw != `{"data":[],"pagination":{"page":1,"limit":20,"total":0,"totalPages":0}}` {
		t.Fatalf("empty list: %s", empty.raw)
	}
	for i := range 5 {
		h.createApp(adminToken, ccApp(fmt.Sprintf("app-%d", i)))
	}
	tests := []struct {
		query     string
		wantNames string // names on the page, or the error message
		wantPage  string // page/limit/total/totalPages
	}{
		{"?page=1&limit=2", "app-4 app-3", "1/2/5/3"},
		{"?page=3&limit=2", "app-0", "3/2/5/3"},
		{"?page=9&limit=2", "", "9/2/5/3"},
		{"?page=&limit=", "app-4 app-3 app-2 app-1 app-0", "1/20/5/1"},
		{"?limit=100", "app-4 app-3 app-2 app-1 app-0", "1/100/5/1"},
		{"?limit=0x2", "app-4 app-3", "1/2/5/3"},
		{"?limit=2e0&page=%201%20", "app-4 app-3", "1/2/5/3"},
		{"?limit=0", "error:Number must be greater than or equal to 1", ""},
		{"?limit=101", "error:Number must be less than or equal to 100", ""},
		{"?limit=1.5", "error:Expected integer, received float", ""},
		{"?limit=abc", "error:Expected number, received nan", ""},
		{"?page=0", "error:Number must be greater than or equal to 1", ""},
		{"?page=-1&limit=500.5", "error:Number must be greater than or equal to 1\nExpected integer, received float\nNumber must be less than or equal to 100", ""},
		{"?page=1&page=2", "error:Expected number, received nan", ""},
		{"?status=gone", "error:Invalid enum value. Expected 'active' | 'suspended' | 'revoked', received 'gone'", ""},
		{"?search=a&search=b", "error:Expected string, received array", ""},
		{"?unknown=1", "app-4 app-3 app-2 app-1 app-0", "1/20/5/1"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := h.do(req{method: "GET", path: "/oauth-clients" + tt.query, token: adminToken})
			if msg, isErr := strings.CutPrefix(tt.wantNames, "error:"); isErr {
				if resp.status != 400 || resp.errCode() != "VALIDATION_ERROR" || resp.errMessage() != msg {
					t.Fatalf("got %d %s", resp.status, resp.raw)
				}
				return
			}
			if resp.status != 200 || names(resp) != tt.wantNames || pageOf(resp) != tt.wantPage {
				t.Fatalf("got %d names %q page %s: %s", resp.status, names(resp), pageOf(resp), resp.raw)
			}
		})
	}
}

func names(r *response) string {
	var out []string
	for _, a := range r.json["data"].([]any) {
		out = append(out, a.(map[string]any)["name"].(string))
	}
	return strings.Join(out, " ")
}

func pageOf(r *response) string {
	p := r.json["pagination"].(map[string]any)
	return fmt.Sprintf("%v/%v/%v/%v", p["page"], p["limit"], p["total"], p["totalPages"])
}

// TestListFilters covers search (name or description, case-insensitive,
// regex characters literal), status, and the order (newest first).
func TestListFilters(t *testing.T) {
	h := newHarness(t, emuConfig())
	a := ccApp("Alpha Service")
	a["description"] = "talks to Billing (v2)"
	h.createApp(adminToken, a)
	h.createApp(adminToken, ccApp("beta"))
	gamma := h.createApp(adminToken, ccApp("Gamma.*"))
	h.createApp(memberToken, ccApp("alpha of someone else"))
	if r := h.do(req{method: "POST", path: "/oauth-clients/" + gamma["id"].(string) + "/suspend", token: adminToken}); r.status != 200 {
		t.Fatal(r.raw)
	}
	tests := map[string]string{
		"":                        "Gamma.* beta Alpha Service",
		"?search=ALPHA":           "Alpha Service",
		"?search=billing%20(v2)":  "Alpha Service",
		"?search=.*":              "Gamma.*",
		"?search=":                "Gamma.* beta Alpha Service",
		"?status=suspended":       "Gamma.*",
		"?status=active&search=a": "beta Alpha Service",
		"?status=revoked":         "",
	}
	for query, want := range tests {
		resp := h.do(req{method: "GET", path: "/oauth-clients" + query, token: adminToken})
		if got := names(resp); got != want {
			t.Errorf("%q: got %q, want %q", query, got, want)
		}
	}
}

// TestListOrderTies: apps created in the same millisecond list newest first.
func TestListOrderTies(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 8, 22, 18, 6, 7, 123456789, time.UTC)}
	h := newHarness(t, emuConfig())
	h.emu.SetClock(clock.Now)
	for _, n := range []string{"first", "second", "third"} {
		app := h.createApp(adminToken, ccApp(n))
		if app["createdAt"] != "2026-08-22T18:06:07.123Z" {
			t.Fatalf("createdAt %v", app["createdAt"])
		}
	}
	if got := names(h.do(req{method: "GET", path: "/oauth-clients", token: adminToken})); got != "third second first" {
		t.Fatalf("order %q", got)
	}
}

// TestStateMachine covers internal/emulator/README.md §7: suspend/activate conflicts, soft delete,
// regenerate, and that update and actions work while suspended.
func TestStateMachine(t *testing.T) {
	h := newHarness(t, emuConfig())
	app := h.createApp(adminToken, ccApp("states"))
	id := app["id"].(string)
	step := func(method, action string, body any, wantStatus int, want string) *response {
		t.Helper()
		path := "/oauth-clients/" + id + action
		resp := h.do(req{method: method, path: path, token: adminToken, body: body})
		got := resp.errCode() + " " + resp.errMessage()
		if resp.status == 200 {
			got = dig[string](resp.json, "message") + " " + dig[string](resp.json, "app", "status")
		}
		if resp.status != wantStatus || strings.TrimSpace(got) != want {
			t.Fatalf("%s %s: %d %q, want %d %q (%s)", method, action, resp.status, got, wantStatus, want, resp.raw)
		}
		return resp
	}
	step("POST", "/activate", nil, 400, "HTTP_BAD_REQUEST OAuth app is already active")
	step("POST", "/suspend", nil, 200, "OAuth app suspended successfully suspended")
	step("POST", "/suspend", nil, 400, "HTTP_BAD_REQUEST OAuth app is already suspended")
	step("PUT", "", map[string]any{"name": "renamed while suspended"}, 200, "OAuth app updated successfully suspended")
	regen := step("POST", "/regenerate-secret", nil, 200, "Client secret regenerated successfully")
	if len(regen.json) != 3 || regen.json["clientId"] != app["clientId"] || !secret64.MatchString(regen.json["clientSecret"].(string)) ||
		regen.json["clientSecret"] == app["clientSecret"] {
		t.Fatalf("regenerate: %s", regen.raw)
	}
	step("POST", "/revoke-all-tokens", nil, 200, "All tokens revoked successfully")
	step("GET", "/tokens", nil, 200, "")
	step("POST", "/activate", nil, 200, "OAuth app activated successfully active")
	del := step("DELETE", "", nil, 200, "OAuth app deleted successfully")
	if del.raw != `{"message":"OAuth app deleted successfully"}` {
		t.Fatalf("delete body %s", del.raw)
	}
	for _, a := range []struct{ method, action string }{
		{"GET", ""}, {"PUT", ""}, {"DELETE", ""}, {"POST", "/suspend"}, {"POST", "/activate"},
		{"POST", "/regenerate-secret"}, {"GET", "/tokens"}, {"POST", "/revoke-all-tokens"},
	} {
		step(a.method, a.action, map[string]any{}, 404, "HTTP_NOT_FOUND OAuth app not found")
	}
	if got := h.do(req{method: "GET", path: "/oauth-clients?status=revoked", token: adminToken}); names(got) != "" {
		t.Fatalf("deleted apps are not listed, even as revoked: %s", got.raw)
	}
	// The name can be reused.
	h.createApp(adminToken, ccApp("renamed while suspended"))
}

// TestScopes covers GET /oauth-clients/scopes: role filtering, category
// order, entries.
func TestScopes(t *testing.T) {
	h := newHarness(t, emuConfig())
	wantOrder := []string{"Identity", "Access", "Organization", "Users", "User Groups", "Teams", "Knowledge Base",
		"Semantic", "Conversations", "Agents", "Connectors", "Configuration", "Crawling"}
	for token, wantCount := range map[string]int{adminToken: 39, memberToken: 30} {
		resp := h.do(req{method: "GET", path: "/oauth-clients/scopes", token: token})
		var ordered struct {
			Scopes orderedKeys `json:"scopes"`
		}
		if err := json.Unmarshal([]byte(resp.raw), &ordered); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ordered.Scopes) != fmt.Sprint(wantOrder) {
			t.Errorf("%s: category order %v", token, ordered.Scopes)
		}
		count := 0
		for category, list := range resp.json["scopes"].(map[string]any) {
			for _, s := range list.([]any) {
				entry := s.(map[string]any)
				count++
				if entry["category"] != category || len(entry) != 4 || entry["description"] == "" {
					t.Errorf("entry %v under %s", entry, category)
				}
				if token == memberToken && strings.Contains(adminOnlyScopes, " "+entry["name"].(string)+" ") {
					t.Errorf("member sees %v", entry)
				}
			}
		}
		if count != wantCount {
			t.Errorf("%s sees %d scopes, want %d", token, count, wantCount)
		}
	}
	identity := dig[[]any](h.do(req{method: "GET", path: "/oauth-clients/scopes", token: memberToken}).json, "scopes", "Identity")
	first := identity[0].(map[string]any)
	if first["name"] != "openid" || first["description"] != "OpenID Connect authentication" || first["requiresUserConsent"] != false {
		t.Errorf("openid entry %v", first)
	}
}

// adminOnlyScopes are the scopes only admins may see and register (internal/emulator/README.md §6).
const adminOnlyScopes = " org:write org:admin user:invite user:delete usergroup:write team:write config:write crawl:write crawl:delete "

// orderedKeys decodes a JSON object into its keys, in document order.
type orderedKeys []string

func (o *orderedKeys) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		*o = append(*o, key.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}
