package openapicheck

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDocument: the embedded document is the project's own copy, says
// where it came from, loads and validates, and documents every operation
// the client and the emulator exchange on.
func TestDocument(t *testing.T) {
	t.Parallel()
	header, _, _ := strings.Cut(string(document), "\nopenapi:")
	for _, want := range []string{"github.com/pipeshub-ai/pipeshub-ai", "backend/nodejs/apps/src/modules/api-docs/pipeshub-openapi.yaml", "95d655b5f976"} {
		if !strings.Contains(header, want) {
			t.Errorf("the header comment does not say where the document came from (%q)", want)
		}
	}
	router, err := NewRouter("http://127.0.0.1:1/api/v1")
	if err != nil {
		t.Fatal(err)
	}
	const id = "/aaaaaaaaaaaaaaaaaaaaaaaa"
	for _, op := range []string{
		"POST /oauth2/token", "GET /oauth-clients", "POST /oauth-clients", "GET /oauth-clients/scopes",
		"GET /oauth-clients" + id, "PUT /oauth-clients" + id, "DELETE /oauth-clients" + id,
		"POST /oauth-clients" + id + "/regenerate-secret", "POST /oauth-clients" + id + "/suspend",
		"POST /oauth-clients" + id + "/activate", "GET /oauth-clients" + id + "/tokens",
		"POST /oauth-clients" + id + "/revoke-all-tokens",
	} {
		method, path, _ := strings.Cut(op, " ")
		r, err := http.NewRequest(method, "http://127.0.0.1:1/api/v1"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := router.FindRoute(r); err != nil {
			t.Errorf("%s is not documented: %v", op, err)
		}
	}
}

// TestTransportValidatesEachExchange guards the validator itself: a
// conforming exchange passes, and broken requests and responses are caught.
func TestTransportValidatesEachExchange(t *testing.T) {
	t.Parallel()
	const app = `{"id":"aaaaaaaaaaaaaaaaaaaaaaaa","slug":"a","clientId":"c","name":"a","status":"active","isConfidential":true,` +
		`"allowedGrantTypes":["client_credentials"],"allowedScopes":["kb:read"],"redirectUris":[],` +
		`"accessTokenLifetime":3600,"refreshTokenLifetime":2592000,"createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z"}`
	// The app with id b..b lacks its required clientId.
	answer := func(path string) string {
		if strings.HasSuffix(path, "bbbbbbbbbbbbbbbbbbbbbbbb") {
			return strings.Replace(app, `"clientId"`, `"clientID"`, 1)
		}
		return app
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer(r.URL.Path))
	}))
	t.Cleanup(srv.Close)
	rt, err := NewTransport(Config{ServerURL: srv.URL + "/api/v1", RequireBearerToken: true})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, token string) Exchange {
		t.Helper()
		r, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := (&http.Client{Transport: rt}).Do(r)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || string(body) != answer(path) {
			t.Fatalf("the response body was not handed on: %q, %v", body, err)
		}
		xs := rt.Exchanges()
		return xs[len(xs)-1]
	}

	if x := get("/oauth-clients/aaaaaaaaaaaaaaaaaaaaaaaa", "t"); x.Err() != nil || x.Operation == "" || x.Status != 200 {
		t.Errorf("a conforming exchange: %s %q: %v", x, x.Operation, x.Err())
	}
	if x := get("/oauth-clients/bbbbbbbbbbbbbbbbbbbbbbbb", "t"); x.RequestError != nil || x.ResponseError == nil {
		t.Errorf("an app without clientId: request %v, response %v", x.RequestError, x.ResponseError)
	}
	if x := get("/oauth-clients/aaaaaaaaaaaaaaaaaaaaaaaa", ""); x.RequestError == nil {
		t.Error("a request without a bearer token passed")
	}
	if x := get("/not-documented", "t"); x.RequestError == nil || x.Operation != "GET /api/v1/not-documented" {
		t.Errorf("an undocumented route: %q %v", x.Operation, x.RequestError)
	}
	x := get("/oauth-clients/aaaaaaaaaaaaaaaaaaaaaaaa", "t")
	x.ResponseBody = bytes.Replace(x.ResponseBody, []byte(`"status":"active"`), []byte(`"status":"gone"`), 1)
	if x = rt.Validate(t.Context(), x); x.ResponseError == nil {
		t.Error("a revalidated response with an unknown status passed")
	}
	if n := len(rt.Exchanges()); n != 5 {
		t.Errorf("recorded %d exchanges, want 5", n)
	}
}
