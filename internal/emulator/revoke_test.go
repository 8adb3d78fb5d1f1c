package emulator_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestRevokeEndpoint covers internal/emulator/README.md §10.7's revoke: revokeSchema (body only, no Basic
// header), the client check of §10.3 rows 1-3, and revocation only of the
// caller's own token, with 200 and an empty body whatever was found.
func TestRevokeEndpoint(t *testing.T) {
	h := newHarness(t, emuConfig())
	app := h.createApp(adminToken, ccApp("revoker"))
	cid, secret := app["clientId"].(string), app["clientSecret"].(string)
	other := h.createApp(otherAdminToken, ccApp("other"))
	suspended := h.createApp(adminToken, ccApp("suspended"))
	h.do(req{method: "POST", path: "/oauth-clients/" + suspended["id"].(string) + "/suspend", token: adminToken})
	form := func(v url.Values) req { return req{body: v.Encode(), contentType: "application/x-www-form-urlencoded"} }

	tests := []struct {
		name        string
		r           func(token string) req // the request, around a fresh token of app
		wantStatus  int
		wantBody    string
		wantRevoked bool
	}{
		{"JSON body", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": cid, "client_secret": secret}}
		}, 200, "", true},
		{"form body with access_token hint", func(tok string) req {
			return form(url.Values{"token": {tok}, "token_type_hint": {"access_token"}, "client_id": {cid}, "client_secret": {secret}})
		}, 200, "", true},
		{"refresh_token hint searches only refresh tokens", func(tok string) req {
			return req{body: map[string]any{"token": tok, "token_type_hint": "refresh_token", "client_id": cid, "client_secret": secret}}
		}, 200, "", false},
		{"unknown token", func(string) req {
			return req{body: map[string]any{"token": "not-a-token", "client_id": cid, "client_secret": secret}}
		}, 200, "", false},
		{"another client's token", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": other["clientId"], "client_secret": other["clientSecret"]}}
		}, 200, "", false},
		{"absent client_secret revokes nothing", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": cid}}
		}, 200, "", false},
		{"row 1 unknown client", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": "nope", "client_secret": secret}}
		}, 401, `{"error":"invalid_client","error_description":"Invalid client_id"}`, false},
		{"row 2 suspended client", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": suspended["clientId"], "client_secret": "wrong"}}
		}, 401, `{"error":"invalid_client","error_description":"OAuth app is suspended"}`, false},
		{"row 3 wrong secret", func(tok string) req {
			return req{body: map[string]any{"token": tok, "client_id": cid, "client_secret": "wrong"}}
		}, 401, `{"error":"invalid_client","error_description":"Invalid client credentials"}`, false},
		{"Basic header is not read", func(tok string) req {
			r := form(url.Values{"token": {tok}})
			r.header = http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(cid+":"+secret))}}
			return r
		}, 400, `{"error":{"code":"VALIDATION_ERROR","message":"Required"}}`, false},
		{"token missing", func(string) req {
			return req{body: map[string]any{"client_id": cid, "client_secret": secret}}
		}, 400, `{"error":{"code":"VALIDATION_ERROR","message":"Required"}}`, false},
		{"empty token", func(string) req {
			return req{body: map[string]any{"token": "", "client_id": cid, "client_secret": secret}}
		}, 400, `{"error":{"code":"VALIDATION_ERROR","message":"String must contain at least 1 character(s)"}}`, false},
		{"unknown hint", func(tok string) req {
			return req{body: map[string]any{"token": tok, "token_type_hint": "id_token", "client_id": cid, "client_secret": secret}}
		}, 400, `{"error":{"code":"VALIDATION_ERROR","message":"Invalid enum value. Expected 'access_token' | 'refresh_token', received 'id_token'"}}`, false},
		{"other content type leaves the body empty", func(tok string) req {
			return req{body: "token=" + tok + "&client_id=" + cid, contentType: "text/plain"}
		}, 400, `{"error":{"code":"VALIDATION_ERROR","message":"Required\nRequired"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := h.token(cid, secret, nil).json["access_token"].(string)
			r := tt.r(tok)
			r.method, r.path = "POST", "/oauth2/revoke"
			resp := h.do(r)
			if resp.status != tt.wantStatus || resp.raw != tt.wantBody {
				t.Fatalf("got %d %q\nwant %d %q", resp.status, resp.raw, tt.wantStatus, tt.wantBody)
			}
			if resp.status == 200 && resp.header.Get("Content-Type") != "" {
				t.Errorf("an empty 200 has no content type: %v", resp.header)
			}
			use := h.do(req{method: "GET", path: "/oauth-clients", token: tok})
			if revoked := use.status == 401 && use.errCode() == "OAUTH_INVALID_TOKEN"; revoked != tt.wantRevoked {
				t.Errorf("revoked = %v, want %v (bearer use: %d %s)", revoked, tt.wantRevoked, use.status, use.raw)
			}
		})
	}
}

// TestRevokeIsIdempotentAndDelists: a revoked token leaves the /tokens list
// at once, others stay, and revoking it again is still an empty 200.
func TestRevokeIsIdempotentAndDelists(t *testing.T) {
	h := newHarness(t, emuConfig())
	app := h.createApp(adminToken, ccApp("twice"))
	cid, secret := app["clientId"].(string), app["clientSecret"].(string)
	kept := h.token(cid, secret, map[string]any{"scope": "kb:read"})
	revoked := h.token(cid, secret, nil).json["access_token"].(string)
	for i := range 2 {
		r := h.do(req{method: "POST", path: "/oauth2/revoke", body: map[string]any{"token": revoked, "client_id": cid, "client_secret": secret}})
		if r.status != 200 || r.raw != "" {
			t.Fatalf("revoke %d: %d %q", i+1, r.status, r.raw)
		}
	}
	list := h.do(req{method: "GET", path: "/oauth-clients/" + app["id"].(string) + "/tokens", token: adminToken}).json["tokens"].([]any)
	if len(list) != 1 || kept.status != 200 {
		t.Fatalf("want only the kept token listed, got %v", list)
	}
	if n := h.emu.Calls(emulator.RouteRevokeToken); n != 2 {
		t.Errorf("revoke calls counted: %d, want 2", n)
	}
}

// TestRevokeSharesTheTokenLimiter: /oauth2/token and /oauth2/revoke draw on
// one per-IP limiter (internal/emulator/README.md §10.1), and a revoke fault is injected by route.
func TestRevokeSharesTheTokenLimiter(t *testing.T) {
	h := newHarness(t, emulator.Config{Tokens: testUsers(), RateLimit: 1})
	if r := h.do(req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "client_credentials"}}); r.status != 401 {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	r := h.do(req{method: "POST", path: "/oauth2/revoke", body: map[string]any{"token": "t", "client_id": "c"}})
	if r.status != 429 || r.raw != `{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many OAuth client requests. Please try again later.","retryAfter":60}}` {
		t.Fatalf("revoke after the token call used the budget: %d %s", r.status, r.raw)
	}

	h = newHarness(t, emuConfig())
	h.emu.InjectFault(emulator.Fault{Route: emulator.RouteRevokeToken, Status: 503})
	if r := h.do(req{method: "POST", path: "/oauth2/revoke", body: map[string]any{"token": "t", "client_id": "c"}}); r.status != 503 {
		t.Fatalf("fault: %d %s", r.status, r.raw)
	}
}
