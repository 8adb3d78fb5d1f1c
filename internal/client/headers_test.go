package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	type seen struct {
		auth, ua, accept, contentType, body string
	}
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, seen{r.Header.Get("Authorization"), r.Header.Get("User-Agent"), r.Header.Get("Accept"), r.Header.Get("Content-Type"), string(body)})
		if r.URL.Path == "/api/v1/oauth2/token" {
			_, _ = io.WriteString(w, `{"access_token":"a","token_type":"Bearer","expires_in":3600,"scope":"kb:read org:read"}`)
			return
		}
		_, _ = io.WriteString(w, appJSON)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.UserAgent = "" })
	ctx := context.Background()
	if _, err := c.GetApp(ctx, testAppID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ClientCredentialsToken(ctx, "cid", "s3cret", []string{"kb:read", "org:read"}); err != nil {
		t.Fatal(err)
	}
	if err := c.RevokeToken(ctx, "cid", "s3cret", "a.b.c"); err != nil {
		t.Fatal(err)
	}
	want := []seen{
		{"Bearer " + testBearerToken, DefaultUserAgent, "application/json", "", ""},
		// base64("cid:s3cret"); no bearer token on the token endpoint.
		{"Basic Y2lkOnMzY3JldA==", DefaultUserAgent, "application/json", "application/x-www-form-urlencoded",
			"grant_type=client_credentials&scope=kb%3Aread+org%3Aread"},
		// client_secret_post and no bearer token on the revoke endpoint.
		{"", DefaultUserAgent, "application/json", "application/x-www-form-urlencoded",
			"client_id=cid&client_secret=s3cret&token=a.b.c&token_type_hint=access_token"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d requests", len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
