package emulator_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCreateValidation covers createAppSchema (internal/emulator/README.md §5) and the
// service checks that follow it, each with PipesHub's code and message.
func TestCreateValidation(t *testing.T) {
	h := newHarness(t, emuConfig())
	long := strings.Repeat("a", 101)
	base := func(mod func(map[string]any)) map[string]any {
		b := ccApp("app")
		mod(b)
		return b
	}
	tests := []struct {
		name       string
		token      string
		body       any
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"name missing", adminToken, base(func(b map[string]any) { delete(b, "name") }), 400, "VALIDATION_ERROR", "Required"},
		{"name empty after trim", adminToken, base(func(b map[string]any) { b["name"] = "   " }), 400, "VALIDATION_ERROR", "String must contain at least 1 character(s)"},
		{"name too long", adminToken, base(func(b map[string]any) { b["name"] = long }), 400, "VALIDATION_ERROR", "String must contain at most 100 character(s)"},
		{"name counts UTF-16 units", adminToken, base(func(b map[string]any) { b["name"] = strings.Repeat("😀", 51) }), 400, "VALIDATION_ERROR", "String must contain at most 100 character(s)"},
		{"name not a string", adminToken, base(func(b map[string]any) { b["name"] = 5 }), 400, "VALIDATION_ERROR", "Expected string, received number"},
		{"name null", adminToken, base(func(b map[string]any) { b["name"] = nil }), 400, "VALIDATION_ERROR", "Expected string, received null"},
		{"description too long", adminToken, base(func(b map[string]any) { b["description"] = strings.Repeat("d", 501) }), 400, "VALIDATION_ERROR", "String must contain at most 500 character(s)"},
		{"redirect not a URL", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"not a url"} }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"redirect http host without port", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"http://"} }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"redirect bad port", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"https://a.example:99999/"} }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"redirect loopback port above 65535", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"http://127.0.0.1:65536/cb"} }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"redirect five-part IPv4 host", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"https://1.2.3.4.5/cb"} }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"redirect host ending in a bad octal number", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"https://1.09/cb"} }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"redirect IPv6 zone id", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"https://[fe80::1%25en0]/cb"} }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"redirect host IDNA refuses", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"https://ex\u200dample.com/cb"} }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"homepage host IDNA refuses", adminToken, base(func(b map[string]any) { b["homepageUrl"] = "https://%E2%80%8D.example/" }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"homepage IPv4 part above 255", adminToken, base(func(b map[string]any) { b["homepageUrl"] = "http://256.256.256.256/" }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"more than 10 redirects", adminToken, base(func(b map[string]any) {
			b["redirectUris"] = strings.Split(strings.Repeat("https://a.example/cb,", 11), ",")[:11]
		}), 400, "VALIDATION_ERROR", "Array must contain at most 10 element(s)"},
		{"redirects not an array", adminToken, base(func(b map[string]any) { b["redirectUris"] = "https://a.example" }), 400, "VALIDATION_ERROR", "Expected array, received string"},
		{"unknown grant type", adminToken, base(func(b map[string]any) { b["allowedGrantTypes"] = []string{"password"} }), 400, "VALIDATION_ERROR",
			"Invalid enum value. Expected 'authorization_code' | 'client_credentials' | 'refresh_token', received 'password'"},
		{"grant type not a string", adminToken, base(func(b map[string]any) { b["allowedGrantTypes"] = []any{1} }), 400, "VALIDATION_ERROR",
			"Expected 'authorization_code' | 'client_credentials' | 'refresh_token', received number"},
		{"scopes missing", adminToken, base(func(b map[string]any) { delete(b, "allowedScopes") }), 400, "VALIDATION_ERROR", "Required"},
		{"scopes empty", adminToken, base(func(b map[string]any) { b["allowedScopes"] = []string{} }), 400, "VALIDATION_ERROR", "Array must contain at least 1 element(s)"},
		{"scope not a string", adminToken, base(func(b map[string]any) { b["allowedScopes"] = []any{true} }), 400, "VALIDATION_ERROR", "Expected string, received boolean"},
		{"homepage not a URL", adminToken, base(func(b map[string]any) { b["homepageUrl"] = "example.com" }), 400, "VALIDATION_ERROR", "Invalid url"},
		{"homepage null on create", adminToken, base(func(b map[string]any) { b["homepageUrl"] = nil }), 400, "VALIDATION_ERROR", "Expected string, received null"},
		{"isConfidential not a bool", adminToken, base(func(b map[string]any) { b["isConfidential"] = "yes" }), 400, "VALIDATION_ERROR", "Expected boolean, received string"},
		{"access lifetime too small", adminToken, base(func(b map[string]any) { b["accessTokenLifetime"] = 299 }), 400, "VALIDATION_ERROR", "Number must be greater than or equal to 300"},
		{"access lifetime too large", adminToken, base(func(b map[string]any) { b["accessTokenLifetime"] = 86401 }), 400, "VALIDATION_ERROR", "Number must be less than or equal to 86400"},
		{"access lifetime float", adminToken, base(func(b map[string]any) { b["accessTokenLifetime"] = 3600.5 }), 400, "VALIDATION_ERROR", "Expected integer, received float"},
		{"refresh lifetime too small", adminToken, base(func(b map[string]any) { b["refreshTokenLifetime"] = 3599 }), 400, "VALIDATION_ERROR", "Number must be greater than or equal to 3600"},
		{"refresh lifetime too large", adminToken, base(func(b map[string]any) { b["refreshTokenLifetime"] = 31536001 }), 400, "VALIDATION_ERROR", "Number must be less than or equal to 31536000"},
		{"lifetime as string", adminToken, base(func(b map[string]any) { b["accessTokenLifetime"] = "3600" }), 400, "VALIDATION_ERROR", "Expected number, received string"},
		{"issues joined by newline in schema order", adminToken, map[string]any{"name": "", "allowedScopes": []string{}, "accessTokenLifetime": 1}, 400, "VALIDATION_ERROR",
			"String must contain at least 1 character(s)\nArray must contain at least 1 element(s)\nNumber must be greater than or equal to 300\n" +
				"At least one redirect URI is required when authorization_code grant type is enabled"},
		{"type error skips the refine", adminToken, map[string]any{"name": 1, "allowedScopes": []string{"kb:read"}}, 400, "VALIDATION_ERROR", "Expected string, received number"},
		{"body is an array", adminToken, []any{}, 400, "VALIDATION_ERROR", "Expected object, received array"},
		{"refine: default grants need a redirect", adminToken, map[string]any{"name": "a", "allowedScopes": []string{"kb:read"}}, 400, "VALIDATION_ERROR",
			"At least one redirect URI is required when authorization_code grant type is enabled"},
		{"refine: explicit auth code with empty redirects", adminToken, base(func(b map[string]any) {
			b["allowedGrantTypes"] = []string{"authorization_code"}
			b["redirectUris"] = []string{}
		}), 400, "VALIDATION_ERROR", "At least one redirect URI is required when authorization_code grant type is enabled"},
		{"unknown scopes listed", adminToken, base(func(b map[string]any) { b["allowedScopes"] = []string{"kb:read", "read:records", "mcp:read"} }), 400, "OAUTH_INVALID_SCOPE", "Invalid scopes: read:records, mcp:read"},
		{"admin-only scope for member", memberToken, base(func(b map[string]any) { b["allowedScopes"] = []string{"kb:read", "org:write", "crawl:delete"} }), 400, "OAUTH_INVALID_SCOPE",
			"Scopes not allowed for this role: org:write, crawl:delete"},
		{"unknown scopes win over role", memberToken, base(func(b map[string]any) { b["allowedScopes"] = []string{"org:write", "nope"} }), 400, "OAUTH_INVALID_SCOPE", "Invalid scopes: nope"},
		{"scopes checked before redirects", adminToken, base(func(b map[string]any) {
			b["allowedScopes"] = []string{"nope"}
			b["redirectUris"] = []string{"http://evil.example/cb"}
		}), 400, "OAUTH_INVALID_SCOPE", "Invalid scopes: nope"},
		{"http redirect rejected", adminToken, base(func(b map[string]any) {
			b["redirectUris"] = []string{"https://ok.example/cb", "http://evil.example/cb"}
		}), 400, "OAUTH_INVALID_REDIRECT_URI",
			"Redirect URI must use HTTPS (except localhost): http://evil.example/cb"},
		{"IPv6 loopback rejected", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"http://[::1]:3000/cb"} }), 400, "OAUTH_INVALID_REDIRECT_URI",
			"Redirect URI must use HTTPS (except localhost): http://[::1]:3000/cb"},
		{"fragment rejected", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"https://ok.example/cb#x"} }), 400, "OAUTH_INVALID_REDIRECT_URI",
			"Redirect URI must not contain a fragment: https://ok.example/cb#x"},
		{"member may use non-admin scopes", memberToken, base(func(b map[string]any) { b["allowedScopes"] = []string{"kb:read", "config:read"} }), 201, "", ""},
		{"full-width localhost in an opaque host", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"myapp://ｌｏｃａｌｈｏｓｔ/cb"} }), 400, "OAUTH_INVALID_REDIRECT_URI",
			"Redirect URI must use HTTPS (except localhost): myapp://ｌｏｃａｌｈｏｓｔ/cb"},
		{"redirects validated without auth code", adminToken, base(func(b map[string]any) { b["redirectUris"] = []string{"ftp://files.example/x"} }), 400, "OAUTH_INVALID_REDIRECT_URI",
			"Redirect URI must use HTTPS (except localhost): ftp://files.example/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(req{method: "POST", path: "/oauth-clients", token: tt.token, body: tt.body})
			if resp.status != tt.wantStatus || resp.errCode() != tt.wantCode || resp.errMessage() != tt.wantMsg {
				t.Fatalf("got %d %s %q, want %d %s %q", resp.status, resp.errCode(), resp.errMessage(), tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

// TestRedirectURIsAccepted covers the URIs validateRedirectUris lets through.
func TestRedirectURIsAccepted(t *testing.T) {
	h := newHarness(t, emuConfig())
	for _, uri := range []string{
		"cursor://anysphere.cursor-mcp/oauth/callback",
		"https://app.example/cb?x=1",
		"http://localhost:3000/cb",
		"http://LOCALHOST/cb",
		"http://127.0.0.1:8080/cb",
		"http://127.1/cb",
		"http://0x7f.1/cb",
		"http://2130706433/cb",
		"http://127.0.0.%31/cb",
		"myapp://localhost/cb",
		"https://app.example/cb#",
		// IDNA maps the host (Node v20.20.2's new URL gives localhost,
		// localhost and 127.0.0.1); PipesHub stores the URI as sent.
		"http://ｌｏｃａｌｈｏｓｔ/cb",
		"http://ＬＯＣＡＬＨＯＳＴ:3000/cb",
		"http://１２７.０.０.１/cb",
		"https://bücher.example/cb",
	} {
		t.Run(uri, func(t *testing.T) {
			app := h.createApp(adminToken, map[string]any{"name": "r", "allowedScopes": []string{"openid"}, "redirectUris": []string{uri}})
			if got := app["redirectUris"].([]any)[0]; got != uri {
				t.Fatalf("stored %q, want it exactly as sent", got)
			}
		})
	}
}

// TestStringsTrimmedAsJavaScript covers the XSS layer's trim, which is
// String.prototype.trim: it removes U+FEFF and the Unicode spaces, but not
// U+0085 (NEL) nor U+180E, which unicode.IsSpace disagrees on.
func TestStringsTrimmedAsJavaScript(t *testing.T) {
	h := newHarness(t, emuConfig())
	for sent, want := range map[string]string{
		"Name\u0085":             "Name\u0085",
		"\u0085Name":             "\u0085Name",
		"\u180eName\u180e":       "\u180eName\u180e",
		"\ufeffName\ufeff":       "Name",
		"\u00a0Name\u3000":       "Name",
		"inner\u00a0space":       "inner\u00a0space",
		" \t\v\f\r\nName":        "Name",
		"Name\u1680\u2000\u200a": "Name",
		"Name\u2028\u2029":       "Name",
		"Name\u202f\u205f":       "Name",
	} {
		app := h.createApp(adminToken, ccApp(sent))
		if app["name"] != want {
			t.Errorf("name %+q stored as %+q, want %+q", sent, app["name"], want)
		}
	}
}

// TestUpdateValidation covers updateAppSchema and the update service order.
func TestUpdateValidation(t *testing.T) {
	h := newHarness(t, emuConfig())
	app := h.createApp(memberToken, ccApp("upd"))
	path := "/oauth-clients/" + app["id"].(string)
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"description null is rejected", map[string]any{"description": nil}, 400, "VALIDATION_ERROR", "Expected string, received null"},
		{"name null is rejected", map[string]any{"name": nil}, 400, "VALIDATION_ERROR", "Expected string, received null"},
		{"name empty", map[string]any{"name": ""}, 400, "VALIDATION_ERROR", "String must contain at least 1 character(s)"},
		{"scopes empty", map[string]any{"allowedScopes": []string{}}, 400, "VALIDATION_ERROR", "Array must contain at least 1 element(s)"},
		{"URL invalid", map[string]any{"privacyPolicyUrl": "nope"}, 400, "VALIDATION_ERROR", "Invalid url"},
		{"refine with both fields", map[string]any{"allowedGrantTypes": []string{"authorization_code"}, "redirectUris": []string{}}, 400, "VALIDATION_ERROR",
			"At least one redirect URI is required when authorization_code grant type is enabled"},
		{"role checked on update", map[string]any{"allowedScopes": []string{"team:write"}}, 400, "OAUTH_INVALID_SCOPE", "Scopes not allowed for this role: team:write"},
		{"scopes before redirects", map[string]any{"allowedScopes": []string{"x"}, "redirectUris": []string{"http://evil.example"}}, 400, "OAUTH_INVALID_SCOPE", "Invalid scopes: x"},
		{"redirects checked", map[string]any{"redirectUris": []string{"http://evil.example"}}, 400, "OAUTH_INVALID_REDIRECT_URI", "Redirect URI must use HTTPS (except localhost): http://evil.example"},
		{"lifetime range", map[string]any{"accessTokenLifetime": 100000}, 400, "VALIDATION_ERROR", "Number must be less than or equal to 86400"},
		{"bad app id and body reported together", nil, 400, "VALIDATION_ERROR", "Invalid App ID\nString must contain at least 1 character(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := path
			if tt.body == nil {
				p, tt.body = "/oauth-clients/xyz", map[string]any{"name": ""}
			}
			resp := h.do(req{method: "PUT", path: p, token: memberToken, body: tt.body})
			if resp.status != tt.wantStatus || resp.errCode() != tt.wantCode || resp.errMessage() != tt.wantMsg {
				t.Fatalf("got %d %s %q, want %d %s %q", resp.status, resp.errCode(), resp.errMessage(), tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
		})
	}
	// Nothing above changed the app.
	got := h.do(req{method: "GET", path: path, token: memberToken})
	if got.json["updatedAt"] != app["updatedAt"] || got.json["name"] != "upd" {
		t.Fatalf("failed updates changed the app: %s", got.raw)
	}
}

// TestUpdateSemantics covers the partial update: set, keep, clear with null,
// "" for description, isConfidential ignored, unknown keys dropped, the
// refine only with both fields in the body.
func TestUpdateSemantics(t *testing.T) {
	h := newHarness(t, emuConfig())
	create := ccApp("semantics")
	create["description"] = "first"
	create["homepageUrl"] = "https://home.example"
	create["privacyPolicyUrl"] = "https://privacy.example"
	create["termsOfServiceUrl"] = "https://tos.example"
	create["redirectUris"] = []string{"https://app.example/cb"}
	create["allowedGrantTypes"] = []string{"authorization_code", "client_credentials"}
	app := h.createApp(adminToken, create)
	path := "/oauth-clients/" + app["id"].(string)
	put := func(body any) map[string]any {
		t.Helper()
		resp := h.do(req{method: "PUT", path: path, token: adminToken, body: body})
		if resp.status != http.StatusOK || resp.json["message"] != "OAuth app updated successfully" {
			t.Fatalf("update: %d %s", resp.status, resp.raw)
		}
		return resp.json["app"].(map[string]any)
	}
	got := put(map[string]any{})
	if got["description"] != "first" || got["homepageUrl"] != "https://home.example" {
		t.Fatalf("empty body changed the app: %v", got)
	}
	got = put(map[string]any{"homepageUrl": nil, "termsOfServiceUrl": "https://tos2.example", "isConfidential": false, "bogus": 1, "description": ""})
	if _, ok := got["homepageUrl"]; ok {
		t.Errorf("homepageUrl not cleared: %v", got)
	}
	if got["termsOfServiceUrl"] != "https://tos2.example" || got["privacyPolicyUrl"] != "https://privacy.example" {
		t.Errorf("URLs: %v", got)
	}
	if got["isConfidential"] != true || got["description"] != "" || got["bogus"] != nil {
		t.Errorf("isConfidential must be ignored, description cleared to \"\", unknown keys dropped: %v", got)
	}
	got = put(map[string]any{"redirectUris": []string{}})
	if len(got["redirectUris"].([]any)) != 0 {
		t.Errorf("an auth-code app can lose its redirect URIs when grants are not in the body: %v", got)
	}
	got = put(map[string]any{"allowedScopes": []string{"org:admin", "kb:read", "kb:read"}, "accessTokenLifetime": 600, "name": "  renamed  "})
	if got["name"] != "renamed" || got["accessTokenLifetime"] != 600.0 || len(got["allowedScopes"].([]any)) != 3 {
		t.Errorf("update of name, lifetime, scopes (duplicates kept): %v", got)
	}
	if got["updatedAt"] == app["updatedAt"] && got["createdAt"] != app["createdAt"] {
		t.Errorf("timestamps: %v", got)
	}
}
