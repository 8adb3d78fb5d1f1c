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

// TestIntrospectEndpoint covers internal/emulator/README.md §10.7's introspect: introspectSchema (body
// only), the client check of §10.3 rows 1-3, the active answer in PipesHub's
// key order, and {"active":false} for every token it does not vouch for.
func TestIntrospectEndpoint(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	h := newHarness(t, emulator.Config{Tokens: testUsers(), Issuer: "https://pipeshub.example"})
	h.emu.SetClock(clock.Now)
	app := h.createApp(adminToken, ccApp("inspected", "kb:read", "user:read"))
	cid, secret := app["clientId"].(string), app["clientSecret"].(string)
	other := h.createApp(otherAdminToken, ccApp("other"))
	suspended := h.createApp(adminToken, ccApp("suspended"))
	h.do(req{method: "POST", path: "/oauth-clients/" + suspended["id"].(string) + "/suspend", token: adminToken})
	body := func(tok string, extra ...string) map[string]any {
		b := map[string]any{"token": tok, "client_id": cid, "client_secret": secret}
		for i := 0; i+1 < len(extra); i += 2 {
			b[extra[i]] = extra[i+1]
		}
		return b
	}
	const inactive = `{"active":false}`

	tests := []struct {
		name       string
		r          func(tok string) req // the request, around a fresh token of app
		wantStatus int
		wantBody   string // "" for the active answer, checked separately
	}{
		{"active token", func(tok string) req { return req{body: body(tok)} }, 200, ""},
		{"form body with access_token hint", func(tok string) req {
			return req{body: url.Values{"token": {tok}, "token_type_hint": {"access_token"}, "client_id": {cid}, "client_secret": {secret}}.Encode(),
				contentType: "application/x-www-form-urlencoded"}
		}, 200, ""},
		{"refresh_token hint", func(tok string) req { return req{body: body(tok, "token_type_hint", "refresh_token")} }, 200, inactive},
		{"phpat_ prefix", func(tok string) req { return req{body: body("phpat_" + tok)} }, 200, inactive},
		{"bad signature", func(tok string) req { return req{body: body(tok[:len(tok)-2] + "xx")} }, 200, inactive},
		{"not a JWT", func(string) req { return req{body: body("nope")} }, 200, inactive},
		{"another client's token", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": other["clientId"], "client_secret": other["clientSecret"]}}
		}, 200, inactive},
		{"absent client_secret", func(tok string) req { return req{body: map[string]any{"token": tok, "client_id": cid}} }, 200, inactive},
		{"row 1 unknown client", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": "nope", "client_secret": secret}}
		}, 401, `{"error":"invalid_client","error_description":"Invalid client_id"}`},
		{"row 2 suspended client", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": suspended["clientId"], "client_secret": "wrong"}}
		}, 401, `{"error":"invalid_client","error_description":"OAuth app is suspended"}`},
		{"row 3 wrong secret", func(tok string) req { return req{body: body(tok, "client_secret", "wrong")} }, 401,
			`{"error":"invalid_client","error_description":"Invalid client credentials"}`},
		{"Basic header is not read", func(tok string) req {
			return req{body: map[string]any{"token": tok},
				header: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(cid+":"+secret))}}}
		}, 400, `{"error":{"code":"VALIDATION_ERROR","message":"Required"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := h.token(cid, secret, map[string]any{"scope": "kb:read"}).json["access_token"].(string)
			r := tt.r(tok)
			r.method, r.path = "POST", "/oauth2/introspect"
			resp := h.do(r)
			if resp.status != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", resp.status, resp.raw, tt.wantStatus)
			}
			if tt.wantBody != "" {
				if resp.raw != tt.wantBody {
					t.Fatalf("got %s\nwant %s", resp.raw, tt.wantBody)
				}
				return
			}
			_, claims := decodeJWT(t, tok)
			var c map[string]any
			_ = json.Unmarshal([]byte(claims), &c)
			var keys orderedKeys
			_ = json.Unmarshal([]byte(resp.raw), &keys)
			if strings.Join(keys, " ") != "active scope client_id token_type exp iat user_id iss jti" ||
				resp.json["active"] != true || resp.json["scope"] != "kb:read" || resp.json["client_id"] != cid ||
				resp.json["token_type"] != "Bearer" || resp.json["user_id"] != cid || resp.json["iss"] != "https://pipeshub.example" ||
				resp.json["exp"] != c["exp"] || resp.json["iat"] != c["iat"] || resp.json["jti"] != c["jti"] {
				t.Fatalf("active answer %s for claims %s", resp.raw, claims)
			}
		})
	}

	// Revoked and expired tokens are inactive too.
	ask := func(tok string) string {
		return h.do(req{method: "POST", path: "/oauth2/introspect", body: body(tok)}).raw
	}
	revoked := h.token(cid, secret, nil).json["access_token"].(string)
	h.do(req{method: "POST", path: "/oauth2/revoke", body: body(revoked)})
	if got := ask(revoked); got != inactive {
		t.Errorf("revoked: %s", got)
	}
	expiring := h.token(cid, secret, nil).json["access_token"].(string)
	clock.Advance(3601 * time.Second)
	if got := ask(expiring); got != inactive {
		t.Errorf("expired: %s", got)
	}
	if n := h.emu.Calls(emulator.RouteIntrospectToken); n != len(tests)+2 {
		t.Errorf("introspect calls counted: %d, want %d", n, len(tests)+2)
	}
}

// TestIntrospectSharesTheTokenLimiter: one per-IP limiter for /token,
// /revoke and /introspect (internal/emulator/README.md §10.1).
func TestIntrospectSharesTheTokenLimiter(t *testing.T) {
	h := newHarness(t, emulator.Config{Tokens: testUsers(), RateLimit: 2})
	for _, path := range []string{"/oauth2/revoke", "/oauth2/introspect"} {
		if r := h.do(req{method: "POST", path: path, body: map[string]any{"token": "t", "client_id": "c"}}); r.status != 401 {
			t.Fatalf("%s: %d %s", path, r.status, r.raw)
		}
	}
	if r := h.do(req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "client_credentials"}}); r.status != 429 {
		t.Fatalf("token after revoke and introspect used the budget: %d %s", r.status, r.raw)
	}
}
