package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestTokenEndpointChecks covers internal/emulator/README.md §10: tokenSchema, client authentication and
// the client_credentials checks in the order of the table (rows 1-6, 3b).
func TestTokenEndpointChecks(t *testing.T) {
	h := newHarness(t, emuConfig())
	app := h.createApp(adminToken, ccApp("cc", "kb:read", "openid", "org:admin"))
	cid, secret := app["clientId"].(string), app["clientSecret"].(string)
	suspended := h.createApp(adminToken, ccApp("suspended"))
	h.do(req{method: "POST", path: "/oauth-clients/" + suspended["id"].(string) + "/suspend", token: adminToken})
	deleted := h.createApp(adminToken, ccApp("deleted"))
	h.do(req{method: "DELETE", path: "/oauth-clients/" + deleted["id"].(string), token: adminToken})
	noCC := h.createApp(adminToken, map[string]any{"name": "authcode", "allowedScopes": []string{"kb:read"}, "redirectUris": []string{"https://a.example/cb"}})
	basic := func(id, secret string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}}
	}
	tests := []struct {
		name       string
		r          req
		wantStatus int
		wantBody   string
	}{
		{"grant_type missing", req{body: map[string]any{"client_id": cid}}, 400, `{"error":{"code":"VALIDATION_ERROR","message":"Required"}}`},
		{"grant_type password", req{body: map[string]any{"grant_type": "password"}}, 400,
			`{"error":{"code":"VALIDATION_ERROR","message":"Invalid enum value. Expected 'authorization_code' | 'client_credentials' | 'refresh_token', received 'password'"}}`},
		{"other content type leaves the body empty", req{body: "grant_type=client_credentials", contentType: "text/plain"}, 400, `{"error":{"code":"VALIDATION_ERROR","message":"Required"}}`},
		{"scope[] in a form is an array", req{body: "grant_type=client_credentials&scope[]=kb:read", contentType: "application/x-www-form-urlencoded"}, 400,
			`{"error":{"code":"VALIDATION_ERROR","message":"Expected string, received array"}}`},
		{"empty client_id", req{body: map[string]any{"grant_type": "client_credentials", "client_id": ""}}, 400,
			`{"error":{"code":"VALIDATION_ERROR","message":"String must contain at least 1 character(s)"}}`},
		{"no client_id", req{body: map[string]any{"grant_type": "client_credentials"}}, 401, `{"error":"invalid_client","error_description":"client_id is required"}`},
		{"row 1 unknown client", req{body: map[string]any{"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"}}, 401,
			`{"error":"invalid_client","error_description":"Invalid client_id"}`},
		{"row 1 deleted app", req{body: map[string]any{"grant_type": "client_credentials", "client_id": deleted["clientId"], "client_secret": deleted["clientSecret"]}}, 401,
			`{"error":"invalid_client","error_description":"Invalid client_id"}`},
		{"row 2 suspended before secret", req{body: map[string]any{"grant_type": "client_credentials", "client_id": suspended["clientId"], "client_secret": "wrong"}}, 401,
			`{"error":"invalid_client","error_description":"OAuth app is suspended"}`},
		{"row 3 wrong secret", req{body: map[string]any{"grant_type": "client_credentials", "client_id": cid, "client_secret": "wrong"}}, 401,
			`{"error":"invalid_client","error_description":"Invalid client credentials"}`},
		{"row 3 empty secret", req{body: map[string]any{"grant_type": "client_credentials", "client_id": cid, "client_secret": ""}}, 401,
			`{"error":"invalid_client","error_description":"Invalid client credentials"}`},
		{"row 3b absent secret", req{body: map[string]any{"grant_type": "client_credentials", "client_id": cid}}, 400,
			`{"error":"server_error","error_description":"The \"data\" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received undefined"}`},
		{"row 4 grant not allowed", req{body: map[string]any{"grant_type": "client_credentials", "client_id": noCC["clientId"], "client_secret": noCC["clientSecret"]}}, 400,
			`{"error":"unsupported_grant_type","error_description":"client_credentials grant not allowed for this app"}`},
		{"row 5 unknown scopes", req{body: map[string]any{"grant_type": "client_credentials", "client_id": cid, "client_secret": secret, "scope": "kb:read bad:one team:write bad:two"}}, 400,
			`{"error":"invalid_scope","error_description":"Invalid scopes: bad:one, bad:two"}`},
		{"row 6 scopes not allowed for the app", req{body: map[string]any{"grant_type": "client_credentials", "client_id": cid, "client_secret": secret, "scope": "kb:read team:write kb:write"}}, 400,
			`{"error":"invalid_scope","error_description":"Scopes not allowed for this app: team:write, kb:write"}`},
		{"basic header overrides the body", req{body: map[string]any{"grant_type": "client_credentials", "client_id": cid, "client_secret": secret}, header: basic(cid, "wrong")}, 401,
			`{"error":"invalid_client","error_description":"Invalid client credentials"}`},
		{"basic header without colon is ignored", req{body: map[string]any{"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"},
			header: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(cid))}}}, 401, `{"error":"invalid_client","error_description":"Invalid client_id"}`},
		{"authorization_code: the app before the grant", req{body: map[string]any{"grant_type": "authorization_code", "client_id": "nope", "code": "x", "redirect_uri": "https://a.example/cb"}}, 401,
			`{"error":"invalid_client","error_description":"Invalid client_id"}`},
		{"authorization_code not allowed for the app", req{body: map[string]any{"grant_type": "authorization_code", "client_id": cid, "code": "x", "redirect_uri": "https://a.example/cb"}}, 400,
			`{"error":"unsupported_grant_type","error_description":"authorization_code grant not allowed for this app"}`},
		{"authorization_code: the secret after the grant", req{body: map[string]any{"grant_type": "authorization_code", "client_id": noCC["clientId"], "client_secret": "wrong", "code": "x", "redirect_uri": "https://a.example/cb"}}, 401,
			`{"error":"invalid_client","error_description":"Invalid client credentials"}`},
		{"authorization_code has no code to redeem", req{body: map[string]any{"grant_type": "authorization_code", "client_id": noCC["clientId"], "client_secret": noCC["clientSecret"], "code": "x", "redirect_uri": "https://a.example/cb"}}, 400,
			`{"error":"invalid_grant","error_description":"Invalid authorization code"}`},
		{"refresh_token not allowed for the app", req{body: map[string]any{"grant_type": "refresh_token", "client_id": cid, "refresh_token": "x"}}, 400,
			`{"error":"unsupported_grant_type","error_description":"refresh_token grant not allowed for this app"}`},
		{"refresh_token has no token to redeem", req{body: map[string]any{"grant_type": "refresh_token", "client_id": noCC["clientId"], "client_secret": noCC["clientSecret"], "refresh_token": "x"}}, 400,
			`{"error":"invalid_grant","error_description":"Invalid refresh token"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.method, tt.r.path = "POST", "/oauth2/token"
			resp := h.do(tt.r)
			if resp.status != tt.wantStatus || resp.raw != tt.wantBody {
				t.Fatalf("got %d %s\nwant %d %s", resp.status, resp.raw, tt.wantStatus, tt.wantBody)
			}
			if resp.header.Get("Cache-Control") != "" || resp.header.Get("WWW-Authenticate") != "" {
				t.Fatalf("errors carry no cache or WWW-Authenticate headers: %v", resp.header)
			}
		})
	}
}

// TestTokenIssuance covers internal/emulator/README.md §10.4-10.6: the success body and headers, the
// JWT claims, scope handling, form and Basic authentication, the token list.
func TestTokenIssuance(t *testing.T) {
	h := newHarness(t, emulator.Config{Tokens: testUsers(), Issuer: "https://pipeshub.example/"})
	app := h.createApp(adminToken, ccApp("issue", "kb:read", "openid", "email", "user:read"))
	cid, secret := app["clientId"].(string), app["clientSecret"].(string)

	resp := h.token(cid, secret, nil)
	if resp.status != 200 || resp.header.Get("Cache-Control") != "no-store" || resp.header.Get("Pragma") != "no-cache" {
		t.Fatalf("token: %d %v %s", resp.status, resp.header, resp.raw)
	}
	var keys orderedKeys
	if err := json.Unmarshal([]byte(resp.raw), &keys); err != nil || strings.Join(keys, " ") != "access_token token_type expires_in scope" {
		t.Fatalf("keys %v %v", keys, err)
	}
	if resp.json["token_type"] != "Bearer" || resp.json["expires_in"] != 3600.0 || resp.json["scope"] != "kb:read user:read" {
		t.Fatalf("body %s", resp.raw)
	}
	header, claims := decodeJWT(t, resp.json["access_token"].(string))
	if header != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("header %s", header)
	}
	var claimKeys orderedKeys
	_ = json.Unmarshal([]byte(claims), &claimKeys)
	if strings.Join(claimKeys, " ") != "userId orgId iss exp iat jti scope client_id tokenType createdBy" {
		t.Errorf("claims %s", claims)
	}
	var c map[string]any
	_ = json.Unmarshal([]byte(claims), &c)
	if c["userId"] != cid || c["client_id"] != cid || c["iss"] != "https://pipeshub.example" || c["tokenType"] != "oauth" ||
		c["exp"].(float64)-c["iat"].(float64) != 3600 || c["createdBy"] != emulator.StableID("alice") || c["orgId"] != emulator.DefaultOrgID ||
		!uuidV4.MatchString(c["jti"].(string)) {
		t.Errorf("claims %s", claims)
	}

	// Only consent scopes: validated, then dropped.
	if r := h.token(cid, secret, map[string]any{"scope": "openid email"}); r.json["scope"] != "" {
		t.Errorf("consent-only scopes: %s", r.raw)
	}
	// Whitespace-only scope means all of the app's scopes; duplicates kept.
	if r := h.token(cid, secret, map[string]any{"scope": "   "}); r.json["scope"] != "kb:read user:read" {
		t.Errorf("blank scope: %s", r.raw)
	}
	if r := h.token(cid, secret, map[string]any{"scope": "kb:read  kb:read"}); r.json["scope"] != "kb:read kb:read" {
		t.Errorf("duplicates: %s", r.raw)
	}
	// Form body with client_secret_basic.
	form := req{method: "POST", path: "/oauth2/token", body: url.Values{"grant_type": {"client_credentials"}, "scope": {"kb:read"}}.Encode(),
		contentType: "application/x-www-form-urlencoded",
		header:      http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(cid+":"+secret))}}}
	if r := h.do(form); r.status != 200 || r.json["scope"] != "kb:read" {
		t.Errorf("form + basic: %d %s", r.status, r.raw)
	}
	// expires_in follows the lifetime at issuance.
	h.do(req{method: "PUT", path: "/oauth-clients/" + app["id"].(string), token: adminToken, body: map[string]any{"accessTokenLifetime": 300}})
	if r := h.token(cid, secret, nil); r.json["expires_in"] != 300.0 {
		t.Errorf("lifetime: %s", r.raw)
	}

	list := h.do(req{method: "GET", path: "/oauth-clients/" + app["id"].(string) + "/tokens", token: adminToken})
	tokens := list.json["tokens"].([]any)
	if len(list.json) != 1 || len(tokens) != 6 {
		t.Fatalf("tokens: %s", list.raw)
	}
	newest := tokens[0].(map[string]any)
	if len(newest) != 6 || newest["tokenType"] != "access" || newest["isRevoked"] != false || !hex24.MatchString(newest["id"].(string)) ||
		!isoMillis.MatchString(newest["createdAt"].(string)) || !isoMillis.MatchString(newest["expiresAt"].(string)) {
		t.Errorf("item %v", newest)
	}
	if _, hasUser := newest["userId"]; hasUser {
		t.Errorf("client_credentials tokens have no userId: %v", newest)
	}
	if created, _ := time.Parse(time.RFC3339, newest["createdAt"].(string)); created.IsZero() {
		t.Errorf("createdAt %v", newest["createdAt"])
	}
}

func decodeJWT(t *testing.T, token string) (header, claims string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	h, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	c, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("JWT parts: %v %v", err1, err2)
	}
	return string(h), string(c)
}

// TestTokenLifecycle: a regenerated secret replaces the old one at once,
// tokens survive suspend and regenerate, and are gone after revoke-all and
// after delete; an access token works as bearer until revoked.
func TestTokenLifecycle(t *testing.T) {
	h := newHarness(t, emuConfig())
	app := h.createApp(memberToken, ccApp("life"))
	id, cid, oldSecret := app["id"].(string), app["clientId"].(string), app["clientSecret"].(string)
	listTokens := func() int {
		r := h.do(req{method: "GET", path: "/oauth-clients/" + id + "/tokens", token: memberToken})
		if r.status != 200 {
			return -1
		}
		return len(r.json["tokens"].([]any))
	}
	access := h.token(cid, oldSecret, nil).json["access_token"].(string)
	// The access token authenticates as the app's creator and is then "used".
	if r := h.do(req{method: "GET", path: "/oauth-clients/" + id, token: access}); r.status != 200 || r.json["name"] != "life" {
		t.Fatalf("access token as bearer: %d %s", r.status, r.raw)
	}
	first := h.do(req{method: "GET", path: "/oauth-clients/" + id + "/tokens", token: memberToken}).json["tokens"].([]any)[0].(map[string]any)
	if _, ok := first["lastUsedAt"]; !ok {
		t.Errorf("lastUsedAt after use: %v", first)
	}

	regen := h.do(req{method: "POST", path: "/oauth-clients/" + id + "/regenerate-secret", token: memberToken})
	newSecret := regen.json["clientSecret"].(string)
	if r := h.token(cid, oldSecret, nil); r.status != 401 || r.json["error_description"] != "Invalid client credentials" {
		t.Fatalf("old secret after regenerate: %d %s", r.status, r.raw)
	}
	if r := h.token(cid, newSecret, nil); r.status != 200 {
		t.Fatalf("new secret: %d %s", r.status, r.raw)
	}
	h.do(req{method: "POST", path: "/oauth-clients/" + id + "/suspend", token: memberToken})
	if n := listTokens(); n != 2 {
		t.Fatalf("tokens survive regenerate and suspend: %d", n)
	}
	if r := h.do(req{method: "GET", path: "/oauth-clients", token: access}); r.status != 200 {
		t.Fatalf("issued tokens keep working while suspended: %d", r.status)
	}
	h.do(req{method: "POST", path: "/oauth-clients/" + id + "/activate", token: memberToken})

	revoke := h.do(req{method: "POST", path: "/oauth-clients/" + id + "/revoke-all-tokens", token: memberToken})
	if revoke.raw != `{"message":"All tokens revoked successfully"}` || listTokens() != 0 {
		t.Fatalf("revoke-all: %s, %d left", revoke.raw, listTokens())
	}
	if r := h.do(req{method: "GET", path: "/oauth-clients", token: access}); r.status != 401 || r.errCode() != "OAUTH_INVALID_TOKEN" || r.errMessage() != "Token has been revoked" {
		t.Fatalf("revoked token: %d %s", r.status, r.raw)
	}
	// Delete revokes what was issued since, and the client is gone.
	h.token(cid, newSecret, nil)
	if n := listTokens(); n != 1 {
		t.Fatalf("fresh token: %d", n)
	}
	h.do(req{method: "DELETE", path: "/oauth-clients/" + id, token: memberToken})
	if r := h.token(cid, newSecret, nil); r.status != 401 || r.json["error_description"] != "Invalid client_id" {
		t.Fatalf("after delete: %d %s", r.status, r.raw)
	}
}

// TestTokenExpiry: expired tokens leave the list and are refused as bearer.
func TestTokenExpiry(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	h := newHarness(t, emuConfig())
	h.emu.SetClock(clock.Now)
	body := ccApp("short")
	body["accessTokenLifetime"] = 300
	app := h.createApp(adminToken, body)
	access := h.token(app["clientId"].(string), app["clientSecret"].(string), nil).json["access_token"].(string)
	clock.Advance(301 * time.Second)
	if r := h.do(req{method: "GET", path: "/oauth-clients/" + app["id"].(string) + "/tokens", token: adminToken}); r.raw != `{"tokens":[]}` {
		t.Fatalf("expired token listed: %s", r.raw)
	}
	if r := h.do(req{method: "GET", path: "/oauth-clients", token: access}); r.status != 401 || r.errCode() != "OAUTH_EXPIRED_TOKEN" {
		t.Fatalf("expired bearer: %d %s", r.status, r.raw)
	}
}
