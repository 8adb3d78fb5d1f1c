package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// exchange is one request of a difference case and what PipesHub answers.
type exchange struct {
	r      req
	status int
	// code and message of the error envelope, for JSON errors.
	code, message string
	// oauth is the exact body of an /oauth2 answer.
	oauth string
	// html is part of an HTML body (the SPA page or Express's 404 page).
	html string
	// stored is a JSON path in the answer ("app.name", "data.0.name") and
	// the string it must hold.
	stored [2]string
	// header values the answer must carry ("" = absent).
	header map[string]string
}

// TestPipesHubDifferences holds the answers in which the emulator once
// differed from PipesHub's running backend, each a case of the difference
// it belongs to (internal/emulator/README.md §12).
// Every case starts a fresh emulator.
func TestPipesHubDifferences(t *testing.T) {
	hex24 := strings.Repeat("a", 24)
	ccBody := func(field, value string) map[string]any {
		b := ccApp("app")
		b[field] = value
		return b
	}
	create := func(field, value string) req {
		return req{method: "POST", path: "/oauth-clients", token: adminToken, body: ccBody(field, value)}
	}
	keep := func(field, sent, want string) exchange {
		return exchange{r: create(field, sent), status: 201, stored: [2]string{"app." + field, want}}
	}
	tooShort := "String must contain at least 1 character(s)"
	cases := []struct {
		name      string
		cfg       emulator.Config
		exchanges []exchange
	}{
		// 1. A stray < is handled by the xss library: an unclosed < followed
		// by text deletes the rest, a trailing < and every > are escaped.
		{"1 unclosed < followed by text is deleted", emulator.Config{}, []exchange{keep("name", `a < b & "c"`, "a")}},
		{"1 a name that is only a stray tag is then empty", emulator.Config{}, []exchange{
			{r: create("name", "<3 love"), status: 400, code: "VALIDATION_ERROR", message: tooShort},
		}},
		{"1 < b > is a tag and is stripped", emulator.Config{}, []exchange{
			{r: create("name", "< b >"), status: 400, code: "VALIDATION_ERROR", message: tooShort},
			keep("description", "x < y > z", "x  z"),
		}},
		{"1 trailing < is escaped", emulator.Config{}, []exchange{keep("name", "x <", "x &lt;")}},
		{"1 > is escaped", emulator.Config{}, []exchange{keep("name", "a -> b", "a -&gt; b"), keep("description", "2 > 1", "2 &gt; 1")}},
		{"1 a second < starts the tag again", emulator.Config{}, []exchange{keep("name", "a < b < c", "a &lt; b")}},
		{"1 an unterminated quoted value after = keeps the rest escaped", emulator.Config{}, []exchange{keep("name", "a <b='x", "a &lt;b='x")}},
		{"1 an unclosed comment drops the rest", emulator.Config{}, []exchange{keep("name", "a <!-- note", "a")}},
		{"1 a tag named script becomes [removed]", emulator.Config{}, []exchange{keep("name", "a <scriptx", "a [removed]")}},
		{"1 in redirect URIs", emulator.Config{}, []exchange{{
			r:      req{method: "POST", path: "/oauth-clients", token: adminToken, body: map[string]any{"name": "r", "allowedScopes": []string{"kb:read"}, "redirectUris": []string{"https://example.com/?q=a<b"}}},
			status: 201, stored: [2]string{"app.redirectUris.0", "https://example.com/?q=a"},
		}}},
		{"1 in query strings", emulator.Config{}, []exchange{
			{r: create("name", "Apple"), status: 201},
			{r: create("name", "Berry"), status: 201},
			// ?search=a<b searches for "a": only Apple matches (Berry, newer,
			// would be listed first).
			{r: req{method: "GET", path: "/oauth-clients?search=a%3Cb", token: adminToken}, status: 200, stored: [2]string{"data.0.name", "Apple"}},
		}},

		// 2. Path parameters are not XSS-filtered: a bad appId fails
		// validation, %2F included, after authentication.
		{"2 encoded tag as appId", emulator.Config{}, []exchange{
			{r: req{method: "GET", path: "/oauth-clients/%3Cb%3Ex%3C%2Fb%3E", token: adminToken}, status: 400, code: "VALIDATION_ERROR", message: "Invalid App ID"},
			{r: req{method: "GET", path: "/oauth-clients/%3Cb%3Ex%3C%2Fb%3E"}, status: 401, code: "HTTP_UNAUTHORIZED", message: "No token provided"},
			{r: req{method: "DELETE", path: "/oauth-clients/%3Cscript%3E", token: adminToken}, status: 400, code: "VALIDATION_ERROR", message: "Invalid App ID"},
			{r: req{method: "POST", path: "/oauth-clients/a%2Fb/suspend", token: adminToken}, status: 400, code: "VALIDATION_ERROR", message: "Invalid App ID"},
			// Literals match the path as sent: scope%73 is an appId.
			{r: req{method: "GET", path: "/oauth-clients/scope%73", token: adminToken}, status: 400, code: "VALIDATION_ERROR", message: "Invalid App ID"},
			// A parameter that does not decode is an error, a 500.
			{r: req{method: "GET", path: "/oauth-clients/%FF", token: adminToken}, status: 500, code: "INTERNAL_ERROR", message: "An unexpected error occurred"},
		}},

		// 3. Unknown paths under /oauth-clients/ meet authentication and the
		// per-user limiter before they fall through to HTML.
		{"3 unknown sub-paths", emulator.Config{RateLimit: 2}, []exchange{
			{r: req{method: "GET", path: "/oauth-clients/abc/def"}, status: 401, code: "HTTP_UNAUTHORIZED", message: "No token provided"},
			{r: req{method: "PATCH", path: "/oauth-clients/" + hex24}, status: 401, code: "HTTP_UNAUTHORIZED", message: "No token provided"},
			{r: req{method: "GET", path: "/oauth-clients/abc/def", token: adminToken}, status: 200, html: "<!doctype html>",
				header: map[string]string{"RateLimit-Limit": "2", "RateLimit-Remaining": "1"}},
			{r: req{method: "PATCH", path: "/oauth-clients/" + hex24, token: adminToken}, status: 404, html: "Cannot PATCH /api/v1/oauth-clients/" + hex24,
				header: map[string]string{"RateLimit-Remaining": "0"}},
			{r: req{method: "GET", path: "/oauth-clients/abc/def", token: adminToken}, status: 429, code: "HTTP_TOO_MANY_REQUESTS", message: "Too many OAuth client requests. Please try again later."},
			{r: req{method: "GET", path: "/oauth-clients", token: adminToken}, status: 429, code: "HTTP_TOO_MANY_REQUESTS", message: "Too many OAuth client requests. Please try again later."},
			{r: req{method: "DELETE", path: "/oauth-clients", token: memberToken}, status: 404, html: "Cannot DELETE /api/v1/oauth-clients",
				header: map[string]string{"RateLimit-Remaining": "1"}},
		}},

		// 4. The global per-IP limiter: before authentication, shared by every
		// user behind the first X-Forwarded-For address, its own message.
		{"4 global limiter shared by users of one address", emulator.Config{GlobalRateLimit: 3}, []exchange{
			{r: req{method: "GET", path: "/oauth-clients", token: adminToken}, status: 200, header: map[string]string{"RateLimit-Limit": "1000", "RateLimit-Remaining": "999"}},
			{r: req{method: "GET", path: "/oauth-clients", token: memberToken}, status: 200, header: map[string]string{"RateLimit-Remaining": "999"}},
			{r: req{method: "GET", path: "/nothing"}, status: 200, html: "<!doctype html>",
				header: map[string]string{"RateLimit-Policy": "3;w=60", "RateLimit-Limit": "3", "RateLimit-Remaining": "0", "RateLimit-Reset": "60"}},
			{r: req{method: "GET", path: "/oauth-clients", token: otherAdminToken}, status: 429, code: "HTTP_TOO_MANY_REQUESTS", message: "Too many requests. Please try again later.",
				header: map[string]string{"RateLimit-Limit": "3", "Retry-After": "60"}},
			{r: req{method: "GET", path: "/oauth-clients", token: otherAdminToken, header: http.Header{"X-Forwarded-For": {"203.0.113.5, 127.0.0.1"}}}, status: 200,
				header: map[string]string{"RateLimit-Limit": "1000", "RateLimit-Remaining": "999"}},
			{r: req{method: "GET", path: "/oauth-clients", header: http.Header{"X-Forwarded-For": {"203.0.113.5"}}}, status: 401, code: "HTTP_UNAUTHORIZED", message: "No token provided",
				header: map[string]string{"RateLimit-Limit": "3", "RateLimit-Remaining": "1"}},
		}},

		// 5. PUT validates path and body together.
		{"5 PUT path and body", emulator.Config{}, []exchange{
			{r: req{method: "PUT", path: "/oauth-clients/xyz", token: adminToken, body: map[string]any{"name": ""}}, status: 400, code: "VALIDATION_ERROR",
				message: "Invalid App ID\n" + tooShort},
			{r: req{method: "PUT", path: "/oauth-clients/xyz", token: adminToken, body: map[string]any{"allowedGrantTypes": []string{"authorization_code"}, "redirectUris": []string{}}},
				status: 400, code: "VALIDATION_ERROR", message: "Invalid App ID\nAt least one redirect URI is required when authorization_code grant type is enabled"},
			{r: req{method: "PUT", path: "/oauth-clients/xyz", token: adminToken, body: map[string]any{}}, status: 400, code: "VALIDATION_ERROR", message: "Invalid App ID"},
			{r: req{method: "PUT", path: "/oauth-clients/" + hex24, token: adminToken, body: map[string]any{"name": ""}}, status: 400, code: "VALIDATION_ERROR", message: tooShort},
		}},

		// 6. The user grants require their code or refresh token first.
		{"6 token endpoint messages", emulator.Config{}, []exchange{
			{r: req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "authorization_code", "client_id": "nope"}}, status: 400,
				oauth: `{"error":"invalid_grant","error_description":"code is required"}`},
			{r: req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "authorization_code", "client_id": "nope", "code": "  "}}, status: 400,
				oauth: `{"error":"invalid_grant","error_description":"code is required"}`},
			{r: req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "authorization_code", "client_id": "nope", "code": "c"}}, status: 400,
				oauth: `{"error":"invalid_grant","error_description":"redirect_uri is required"}`},
			{r: req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "refresh_token", "client_id": "nope"}}, status: 400,
				oauth: `{"error":"invalid_grant","error_description":"refresh_token is required"}`},
			{r: req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "refresh_token"}}, status: 401,
				oauth: `{"error":"invalid_client","error_description":"client_id is required"}`},
		}},

		// 7. JavaScript's trim: U+FEFF goes, U+0085 stays.
		{"7 JavaScript trim", emulator.Config{}, []exchange{
			keep("name", "\ufeffName\ufeff", "Name"),
			keep("name", "Name\u0085", "Name\u0085"),
			keep("description", "\u3000text\u00a0", "text"),
		}},

		// 8. Express's and the cors middleware's headers on every answer.
		{"8 extra headers", emulator.Config{}, []exchange{
			{r: req{method: "GET", path: "/oauth-clients/scopes", token: adminToken}, status: 200, header: expressHeaders},
			{r: req{method: "GET", path: "/oauth-clients"}, status: 401, code: "HTTP_UNAUTHORIZED", message: "No token provided", header: expressHeaders},
			{r: req{method: "POST", path: "/oauth2/token", body: map[string]any{"grant_type": "client_credentials"}}, status: 401,
				oauth: `{"error":"invalid_client","error_description":"client_id is required"}`, header: expressHeaders},
			{r: req{method: "GET", path: "/nothing"}, status: 200, html: "<!doctype html>", header: expressHeaders},
			{r: req{method: "GET", path: "/oauth-clients", token: adminToken, header: http.Header{"Origin": {"http://localhost:3000"}}}, status: 200,
				header: map[string]string{"Access-Control-Allow-Origin": "http://localhost:3000", "Vary": "Origin"}},
			{r: req{method: "GET", path: "/oauth-clients", token: adminToken, header: http.Header{"Origin": {"https://evil.example"}}}, status: 200,
				header: map[string]string{"Access-Control-Allow-Origin": ""}},
			// A preflight is answered by the cors middleware before anything else.
			{r: req{method: "OPTIONS", path: "/oauth-clients", header: http.Header{"Origin": {"http://localhost:3000"}}}, status: 204,
				header: map[string]string{"Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS", "Access-Control-Allow-Headers": "Content-Type,Authorization,x-session-token",
					"RateLimit-Limit": ""}},
		}},
		{"8 introspect iss defaults to PipesHub's", emulator.Config{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Tokens == nil {
				tc.cfg.Tokens = testUsers()
			}
			h := newHarness(t, tc.cfg)
			if tc.exchanges == nil {
				checkDefaultIssuer(t, h)
				return
			}
			for i, x := range tc.exchanges {
				resp := h.do(x.r)
				where := func() string { return fmt.Sprintf("exchange %d, %s %s", i+1, x.r.method, x.r.path) }
				if resp.status != x.status {
					t.Fatalf("%s: status %d, want %d: %s", where(), resp.status, x.status, resp.raw)
				}
				if x.code != "" && (resp.errCode() != x.code || resp.errMessage() != x.message) {
					t.Fatalf("%s: %s %q, want %s %q", where(), resp.errCode(), resp.errMessage(), x.code, x.message)
				}
				if x.oauth != "" && resp.raw != x.oauth {
					t.Fatalf("%s: %s, want %s", where(), resp.raw, x.oauth)
				}
				if x.html != "" && (!strings.HasPrefix(resp.header.Get("Content-Type"), "text/html") || !strings.Contains(resp.raw, x.html)) {
					t.Fatalf("%s: %s %q, want HTML with %q", where(), resp.header.Get("Content-Type"), resp.raw, x.html)
				}
				if path := x.stored[0]; path != "" {
					if got := dig[any](resp.json, strings.Split(path, ".")...); got != x.stored[1] {
						t.Fatalf("%s: %s is %q, want %q: %s", where(), path, got, x.stored[1], resp.raw)
					}
				}
				for k, v := range x.header {
					if got := resp.header.Get(k); got != v {
						t.Fatalf("%s: header %s is %q, want %q: %v", where(), k, got, v, resp.header)
					}
				}
			}
		})
	}
}

// expressHeaders are on every answer.
var expressHeaders = map[string]string{
	"X-Powered-By":                     "Express",
	"Vary":                             "Origin",
	"Access-Control-Allow-Credentials": "true",
	"Access-Control-Expose-Headers":    "x-session-token,content-disposition",
}

// checkDefaultIssuer: with no issuer configured, tokens and introspection
// carry PipesHub's default iss, whatever host the request came to.
func checkDefaultIssuer(t *testing.T, h *harness) {
	t.Helper()
	app := h.createApp(adminToken, ccApp("iss"))
	cid, secret := app["clientId"].(string), app["clientSecret"].(string)
	tok := h.token(cid, secret, nil)
	if tok.status != 200 {
		t.Fatalf("token: %d %s", tok.status, tok.raw)
	}
	resp := h.do(req{method: "POST", path: "/oauth2/introspect", body: map[string]any{"token": tok.json["access_token"], "client_id": cid, "client_secret": secret}})
	if resp.json["iss"] != emulator.DefaultIssuer || emulator.DefaultIssuer != "http://localhost:3000" {
		t.Fatalf("iss %v, want %s: %s", resp.json["iss"], emulator.DefaultIssuer, resp.raw)
	}
}
