package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fuzzClientSecret is the secret passed to ClientCredentialsToken in the fuzz
// target; like the bearer token it must never reach an error string.
const fuzzClientSecret = "fuzz-client-secret-9d3e1b7a"

// fuzzAccessToken is the token passed to RevokeToken in the same tests.
const fuzzAccessToken = "fuzz-access-token-4c2f8e61"

// cannedTransport answers every request with one response, without a network.
type cannedTransport struct {
	status      int
	contentType string
	header      http.Header
	body        []byte
}

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	h := http.Header{}
	for k, v := range c.header {
		h[k] = v
	}
	if c.contentType != "" {
		h.Set("Content-Type", c.contentType)
	}
	return &http.Response{
		StatusCode: c.status, Header: h, Request: req,
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)),
	}, nil
}

func cannedClient(t testing.TB, rt cannedTransport) *Client {
	c, _ := newTestClient(t, "https://pipeshub.example.com", func(cfg *Config) {
		cfg.MaxRetries = 0
		cfg.HTTPClient = &http.Client{Transport: rt}
	})
	return c
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	c := cannedClient(t, cannedTransport{status: 404, contentType: "application/json",
		body: []byte(`{"error":{"code":"HTTP_NOT_FOUND","message":"OAuth app not found"}}`)})
	_, err := c.UpdateApp(context.Background(), testAppID, UpdateAppRequest{})
	want := "PipesHub API: PUT /oauth-clients/" + testAppID + ": HTTP 404 HTTP_NOT_FOUND: OAuth app not found"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	var apiErr *APIError
	if !IsNotFound(err) || !errors.As(err, &apiErr) || apiErr.StatusCode == http.StatusTooManyRequests || MayHaveApplied(err) {
		t.Errorf("helpers disagree with a 404: %v", err)
	}
}

func TestErrorDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rt     cannedTransport
		check  func(t *testing.T, err error)
		isAuth bool // call the token endpoint
	}{
		{"retryAfter from the body", cannedTransport{status: 429, body: []byte(
			`{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many OAuth client requests. Please try again later.","retryAfter":12}}`)},
			func(t *testing.T, err error) {
				var e *APIError
				if !errors.As(err, &e) || e.RetryAfter != 12*time.Second || e.StatusCode != http.StatusTooManyRequests {
					t.Errorf("got %#v", err)
				}
			}, false},
		{"html fallback page is not quoted", cannedTransport{status: 404, contentType: "text/html; charset=utf-8",
			body: []byte("<!DOCTYPE html><html><body><h1>Cannot GET /api/v1/x</h1></body></html>")},
			func(t *testing.T, err error) {
				var e *APIError
				if !errors.As(err, &e) || e.Code != "" || strings.Contains(err.Error(), "<") || !strings.Contains(err.Error(), "text/html") {
					t.Errorf("got %v", err)
				}
			}, false},
		{"message echoing the bearer token is redacted", cannedTransport{status: 400,
			body: []byte(`{"error":{"code":"VALIDATION_ERROR","message":"bad token ` + testBearerToken + `"}}`)},
			func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), "bad token "+redacted) {
					t.Errorf("got %v", err)
				}
			}, false},
		{"oauth error", cannedTransport{status: 401,
			body: []byte(`{"error":"invalid_client","error_description":"Invalid client credentials"}`)},
			func(t *testing.T, err error) {
				var e *OAuthError
				want := "PipesHub OAuth token endpoint: HTTP 401 invalid_client: Invalid client credentials"
				if !errors.As(err, &e) || e.ErrorCode != "invalid_client" || err.Error() != want {
					t.Errorf("got %v", err)
				}
			}, true},
		{"app envelope on the token endpoint", cannedTransport{status: 400,
			body: []byte(`{"error":{"code":"VALIDATION_ERROR","message":"Required"}}`)},
			func(t *testing.T, err error) {
				var e *APIError
				if !errors.As(err, &e) || e.Code != "VALIDATION_ERROR" || e.Path != "/oauth2/token" {
					t.Errorf("got %v", err)
				}
			}, true},
		{"oauth description echoing the secret is redacted", cannedTransport{status: 400,
			body: []byte(`{"error":"server_error","error_description":"bad ` + fuzzClientSecret + `"}`)},
			func(t *testing.T, err error) {
				if !strings.HasSuffix(err.Error(), "bad "+redacted) {
					t.Errorf("got %v", err)
				}
			}, true},
		{"SPA fallback with 200 on a GET", cannedTransport{status: 200, contentType: "text/html", body: []byte("<html></html>")},
			func(t *testing.T, err error) {
				var e *DecodeError
				if !errors.As(err, &e) || !MayHaveApplied(err) || strings.Contains(err.Error(), "<html") {
					t.Errorf("got %v", err)
				}
			}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cannedClient(t, tt.rt)
			var err error
			if tt.isAuth {
				_, err = c.ClientCredentialsToken(context.Background(), "cid", fuzzClientSecret, nil)
			} else {
				_, err = c.GetApp(context.Background(), testAppID)
			}
			if err == nil {
				t.Fatal("want an error")
			}
			tt.check(t, err)
			assertNoSecrets(t, "error", err.Error(), fuzzClientSecret)
		})
	}
}

func TestFlattenScopesKeepsCategoryOrder(t *testing.T) {
	t.Parallel()
	body := `{"scopes":{"Zeta":[{"name":"z:1","description":"d","category":"Zeta","requiresUserConsent":true}],` +
		`"Alpha":[{"name":"a:1","description":"d","requiresUserConsent":false},{"name":"a:2","description":"d","category":"Alpha"}],` +
		`"Empty":[],"Mid":[{"name":"m:1","category":"Mid"}]},"extra":{"ignored":[1,2]}}`
	got, err := flattenScopes([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got.Scopes {
		names = append(names, s.Category+"/"+s.Name)
	}
	if want := "Zeta/z:1 Alpha/a:1 Alpha/a:2 Mid/m:1"; strings.Join(names, " ") != want {
		t.Errorf("got %v, want %s", names, want)
	}
	// An empty category is a category still: a member's view of one whose
	// scopes are all admin-only.
	if want := "Zeta Alpha Empty Mid"; strings.Join(got.Categories, " ") != want {
		t.Errorf("categories %v, want %s", got.Categories, want)
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"scopes":[]}`, `{"scopes":{"A":{}}}`, `{"scopes":{"A":[1]}}`, `{"scopes":{"A":[]}`} {
		if _, err := flattenScopes([]byte(bad)); err == nil {
			t.Errorf("flattenScopes(%q) succeeded", bad)
		}
	}
}

// fuzzStatuses are the statuses the fuzz target answers with.
var fuzzStatuses = []int{200, 201, 400, 401, 404, 429, 500, 502, 503}

// FuzzDecodeResponses feeds arbitrary bodies to every operation's decoding
// and to the error path: nothing may panic, and no error may carry a secret
// the client knows (the bearer token; on the token endpoint also the client
// secret), even when the body itself holds one.
func FuzzDecodeResponses(f *testing.F) {
	for _, op := range operations {
		f.Add(uint8(0), "application/json", []byte(op.okBody))
	}
	seeds := []string{
		`{"data":[` + appJSON + `],"pagination":{"page":1,"limit":100,"total":250,"totalPages":3}}`,
		`{"scopes":{"Identity":[{"name":"openid","description":"OpenID Connect authentication","category":"Identity","requiresUserConsent":false}]}}`,
		`{"message":"Client secret regenerated successfully","clientId":"c","clientSecret":"` + strings.Repeat("ab", 32) + `"}`,
		`{"tokens":[{"id":"0123456789abcdef01234567","tokenType":"access","scopes":["openid"],"createdAt":"t","expiresAt":"t","isRevoked":false}]}`,
		`{"error":{"code":"VALIDATION_ERROR","message":"Required\nInvalid url"}}`,
		`{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many OAuth client requests. Please try again later.","retryAfter":null}}`,
		`{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"m","retryAfter":1e300}}`,
		`{"error":"invalid_client","error_description":"` + fuzzClientSecret + `"}`,
		`{"error":"invalid_request","error_description":"` + fuzzAccessToken + `"}`,
		`{"error":{"code":"` + testBearerToken + `","message":"` + testBearerToken + `"}}`,
		`{"error":[1,2]}`,
		`{"error":"`, `null`, `<html>` + testBearerToken + `</html>`, ``,
	}
	for i, s := range seeds {
		f.Add(uint8(i), "application/json", []byte(s))
	}
	f.Fuzz(func(t *testing.T, statusPick uint8, contentType string, body []byte) {
		status := fuzzStatuses[int(statusPick)%len(fuzzStatuses)]
		c := cannedClient(t, cannedTransport{status: status, contentType: contentType, body: body})
		for _, op := range operations {
			err := op.run(context.Background(), c)
			if err != nil {
				known := []string{testBearerToken}
				switch op.name {
				case "token":
					known = append(known, fuzzClientSecret)
				case "revoke":
					known = append(known, fuzzClientSecret, fuzzAccessToken)
				}
				assertNoSecrets(t, op.name+" error", err.Error(), known...)
				_ = MayHaveApplied(err)
			}
		}
	})
}

func TestRedirectIsReportedNotFollowed(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, "https://user:pw@pipeshub.example.com/api/v1/oauth-clients", http.StatusMovedPermanently)
	}}
	c, _ := newServedClient(t, h, nil)
	_, err := c.CreateApp(context.Background(), clientCredentialsApp("redirected"))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 301 || h.count() != 1 ||
		!strings.Contains(err.Error(), `redirects to "https://pipeshub.example.com/api/v1/oauth-clients"`) {
		t.Fatalf("got %d calls, %v", h.count(), err)
	}
}
