package openapicheck

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// sharedDocument is the reference the embedded document is copied from; the
// shared folder sits beside the repository on developer machines and in CI.
const sharedDocument = "../../../shared/reference/pipeshub-openapi-oauth-clients.yaml"

func TestDocumentIsTheSharedReference(t *testing.T) {
	t.Parallel()
	shared, err := os.ReadFile(sharedDocument)
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must have shared/ beside the repository: %v", err)
		}
		t.Logf("not compared with the shared reference, which is absent: %v", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(document, shared) {
		t.Errorf("internal/openapicheck/pipeshub-openapi-oauth-clients.yaml differs from %s: copy it again unchanged", sharedDocument)
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
