package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// testMemberToken authenticates a non-admin of the same org.
const testMemberToken = "test-member-bearer-token-7a41c0"

// testUsers are the users of the test emulators, by bearer token.
var testUsers = map[string]emulator.User{
	testBearerToken: {ID: emulator.StableID("client-test-admin"), OrgID: emulator.DefaultOrgID, Role: "admin"},
	testMemberToken: {ID: emulator.StableID("client-test-member"), OrgID: emulator.DefaultOrgID, Role: "member"},
}

// newEmulator serves a fresh emulator and returns it with its server URL.
func newEmulator(t testing.TB, cfg emulator.Config) (*emulator.Emulator, string) {
	t.Helper()
	if cfg.Tokens == nil {
		cfg.Tokens = testUsers
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	return emu, srv.URL + "/api/v1"
}

// emulatorClient is a fresh emulator and a client of its admin.
func emulatorClient(t testing.TB, edit func(*Config)) (*emulator.Emulator, *Client, *recordingLogger) {
	t.Helper()
	emu, url := newEmulator(t, emulator.Config{})
	c, logger := newTestClient(t, url, edit)
	return emu, c, logger
}

func clientCredentialsApp(name string) CreateAppRequest {
	return CreateAppRequest{
		Name:              name,
		AllowedGrantTypes: []string{GrantClientCredentials},
		AllowedScopes:     []string{"org:read", "kb:read"},
	}
}

func ptr[T any](v T) *T { return &v }

func TestEveryOperationAgainstEmulator(t *testing.T) {
	t.Parallel()
	_, c, _ := emulatorClient(t, nil)
	ctx := context.Background()

	created, err := c.CreateApp(ctx, CreateAppRequest{
		Name:              "Integration",
		Description:       ptr("made by the client tests"),
		RedirectURIs:      []string{"https://example.com/cb"},
		AllowedGrantTypes: []string{GrantAuthorizationCode, GrantClientCredentials},
		AllowedScopes:     []string{"openid", "org:read", "kb:read"},
		HomepageURL:       ptr("https://example.com"),
		IsConfidential:    ptr(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(created.ClientSecret) != 64 || created.Status != StatusActive || created.AccessTokenLifetime != 3600 ||
		created.HomepageURL == nil || *created.HomepageURL != "https://example.com" {
		t.Fatalf("create returned %+v", created.App)
	}

	got, err := c.GetApp(ctx, created.ID)
	if err != nil || got.ClientID != created.ClientID || got.Name != "Integration" {
		t.Fatalf("get: %+v, %v", got, err)
	}

	updated, err := c.UpdateApp(ctx, created.ID, UpdateAppRequest{
		Name:                ptr("Renamed"),
		HomepageURL:         Clear(),
		PrivacyPolicyURL:    Set("https://example.com/privacy"),
		AccessTokenLifetime: ptr(int64(600)),
	})
	if err != nil || updated.Name != "Renamed" || updated.HomepageURL != nil ||
		updated.PrivacyPolicyURL == nil || updated.AccessTokenLifetime != 600 {
		t.Fatalf("update: %+v, %v", updated, err)
	}
	unchanged, err := c.UpdateApp(ctx, created.ID, UpdateAppRequest{})
	if err != nil || unchanged.Name != "Renamed" || unchanged.PrivacyPolicyURL == nil {
		t.Fatalf("empty update changed the app: %+v, %v", unchanged, err)
	}

	list, err := c.ListApps(ctx, ListAppsParams{Page: 1, Limit: 10, Status: StatusActive, Search: "renam"})
	if err != nil || len(list.Data) != 1 || list.Pagination.Total != 1 || list.Data[0].ID != created.ID {
		t.Fatalf("list: %+v, %v", list, err)
	}

	if app, err := c.SuspendApp(ctx, created.ID); err != nil || app.Status != StatusSuspended {
		t.Fatalf("suspend: %+v, %v", app, err)
	}
	// PipesHub answers a second suspend 400 "already suspended"; the client
	// confirms with a GET that the app is suspended, which is success.
	if app, err := c.SuspendApp(ctx, created.ID); err != nil || app.Status != StatusSuspended {
		t.Fatalf("second suspend: %+v, %v", app, err)
	}
	var oauthErr *OAuthError
	if _, err := c.ClientCredentialsToken(ctx, created.ClientID, created.ClientSecret, nil); !errors.As(err, &oauthErr) ||
		oauthErr.Description != "OAuth app is suspended" {
		t.Fatalf("token of a suspended app: %v", err)
	}
	if app, err := c.ActivateApp(ctx, created.ID); err != nil || app.Status != StatusActive {
		t.Fatalf("activate: %+v, %v", app, err)
	}

	token, err := c.ClientCredentialsToken(ctx, created.ClientID, created.ClientSecret, []string{"kb:read"})
	if err != nil || token.TokenType != "Bearer" || token.ExpiresIn != 600 || token.Scope != "kb:read" || token.AccessToken == "" {
		t.Fatalf("token: %+v, %v", token, err)
	}
	if _, err := c.ClientCredentialsToken(ctx, created.ClientID, created.ClientSecret, []string{"user:delete"}); !errors.As(err, &oauthErr) ||
		oauthErr.ErrorCode != "invalid_scope" || oauthErr.StatusCode != 400 {
		t.Fatalf("token with a scope the app lacks: %v", err)
	}
	tokens, err := c.ListTokens(ctx, created.ID)
	if err != nil || len(tokens) != 1 || tokens[0].TokenType != "access" || !slices.Equal(tokens[0].Scopes, []string{"kb:read"}) {
		t.Fatalf("tokens: %+v, %v", tokens, err)
	}

	regenerated, err := c.RegenerateSecret(ctx, created.ID)
	if err != nil || regenerated.ClientID != created.ClientID || len(regenerated.ClientSecret) != 64 ||
		regenerated.ClientSecret == created.ClientSecret {
		t.Fatalf("regenerate: %+v, %v", regenerated, err)
	}
	if _, err := c.ClientCredentialsToken(ctx, created.ClientID, created.ClientSecret, nil); !errors.As(err, &oauthErr) ||
		oauthErr.StatusCode != 401 || oauthErr.ErrorCode != "invalid_client" {
		t.Fatalf("token with the old secret: %v", err)
	}
	if _, err := c.ClientCredentialsToken(ctx, created.ClientID, regenerated.ClientSecret, nil); err != nil {
		t.Fatalf("token with the new secret: %v", err)
	}

	if err := c.RevokeAllTokens(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if tokens, err := c.ListTokens(ctx, created.ID); err != nil || len(tokens) != 0 {
		t.Fatalf("tokens after revoke-all: %+v, %v", tokens, err)
	}

	if err := c.DeleteApp(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetApp(ctx, created.ID); !IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := c.DeleteApp(ctx, created.ID); !IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestListScopesAgainstEmulator(t *testing.T) {
	t.Parallel()
	_, url := newEmulator(t, emulator.Config{})
	admin, _ := newTestClient(t, url, nil)
	member, _ := newTestClient(t, url, func(cfg *Config) { cfg.BearerToken = testMemberToken })
	ctx := context.Background()

	catalogue, err := admin.ListScopes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	scopes := catalogue.Scopes
	if len(scopes) != 39 || scopes[0].Name != "openid" || scopes[38].Name != "crawl:delete" {
		t.Fatalf("admin catalogue: %d scopes, %+v ... %+v", len(scopes), scopes[0], scopes[len(scopes)-1])
	}
	var categories []string
	for _, s := range scopes {
		if len(categories) == 0 || categories[len(categories)-1] != s.Category {
			categories = append(categories, s.Category)
		}
	}
	want := []string{"Identity", "Access", "Organization", "Users", "User Groups", "Teams", "Knowledge Base",
		"Semantic", "Conversations", "Agents", "Connectors", "Configuration", "Crawling"}
	if !slices.Equal(categories, want) || !slices.Equal(catalogue.Categories, want) {
		t.Errorf("category order %v (keys %v), want %v", categories, catalogue.Categories, want)
	}
	if scopes[0].RequiresUserConsent || !scopes[1].RequiresUserConsent {
		t.Errorf("requiresUserConsent lost: %+v %+v", scopes[0], scopes[1])
	}
	memberCatalogue, err := member.ListScopes(ctx)
	if err != nil || len(memberCatalogue.Scopes) != 30 || !slices.Equal(memberCatalogue.Categories, want) {
		t.Fatalf("member catalogue: %d scopes in %v, %v", len(memberCatalogue.Scopes), memberCatalogue.Categories, err)
	}
}

func TestListAllAppsWalks250Apps(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	ctx := context.Background()
	var want []string
	for i := range 250 {
		app, err := c.CreateApp(ctx, clientCredentialsApp(fmt.Sprintf("app-%03d", i)))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, app.ID)
	}
	slices.Reverse(want) // PipesHub lists the newest first
	emu.ResetCalls()

	apps, err := c.ListAllApps(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range apps {
		got = append(got, a.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListAllApps returned %d apps, not the 250 newest first", len(got))
	}
	if n := emu.Calls(emulator.RouteListApps); n != 3 {
		t.Errorf("ListAllApps made %d GETs, want 3 pages of 100", n)
	}

	// A bounded walk reads only the pages its bound needs, and gets the
	// newest apps, as the head of the whole walk.
	for _, tc := range []struct{ atMost, pages int }{{10, 1}, {100, 1}, {150, 2}, {1000, 3}} {
		emu.ResetCalls()
		apps, err := c.ListAppsUpTo(ctx, "", "", tc.atMost)
		n := min(tc.atMost, len(want))
		if err != nil || len(apps) != n || apps[0].ID != want[0] || apps[n-1].ID != want[n-1] {
			t.Errorf("ListAppsUpTo(%d): %d apps, %v; want the %d newest", tc.atMost, len(apps), err, n)
		}
		if got := emu.Calls(emulator.RouteListApps); got != tc.pages {
			t.Errorf("ListAppsUpTo(%d) made %d GETs, want %d", tc.atMost, got, tc.pages)
		}
	}

	filtered, err := c.ListAllApps(ctx, StatusActive, "app-24")
	if err != nil || len(filtered) != 10 {
		t.Errorf("search app-24: %d apps, %v", len(filtered), err)
	}
	none, err := c.ListAllApps(ctx, StatusSuspended, "")
	if err != nil || len(none) != 0 {
		t.Errorf("suspended: %d apps, %v", len(none), err)
	}
}

// FindAppByClientID reads the list only up to the page that holds the app
// (pages of 100, newest first), and a client id the caller has no app with
// (another user's, a deleted app's, none at all) reads every page and is a
// miss that IsNotFound recognises.
func TestFindAppByClientIDAgainstEmulator(t *testing.T) {
	t.Parallel()
	emu, url := newEmulator(t, emulator.Config{})
	c, _ := newTestClient(t, url, nil)
	ctx := context.Background()
	var apps []*AppWithSecret // oldest first
	for i := range 250 {
		app, err := c.CreateApp(ctx, clientCredentialsApp(fmt.Sprintf("app-%03d", i)))
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, app)
	}
	member, _ := newTestClient(t, url, func(cfg *Config) { cfg.BearerToken = testMemberToken })
	theirs, err := member.CreateApp(ctx, clientCredentialsApp("someone else's"))
	if err != nil {
		t.Fatal(err)
	}
	deleted := apps[0]
	if err := c.DeleteApp(ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}

	// Newest first: apps[249] is on page 1, apps[149] the first of page 2,
	// apps[1] (the oldest left) on page 3.
	for _, tc := range []struct {
		what  string
		app   *AppWithSecret
		pages int
	}{{"the newest app", apps[249], 1}, {"the 100th newest", apps[150], 1}, {"the 101st newest", apps[149], 2}, {"the oldest", apps[1], 3}} {
		emu.ResetCalls()
		got, err := c.FindAppByClientID(ctx, tc.app.ClientID)
		if err != nil || got.ID != tc.app.ID || got.ClientID != tc.app.ClientID || got.Name != tc.app.Name {
			t.Errorf("%s: got %+v, %v; want app %s", tc.what, got, err, tc.app.ID)
		}
		if calls := emu.CallCounts(); calls[emulator.RouteListApps] != tc.pages || len(calls) != 1 {
			t.Errorf("%s: PipesHub received %v, want %d list calls only", tc.what, calls, tc.pages)
		}
	}

	for _, tc := range []struct{ what, clientID string }{
		{"another user's app", theirs.ClientID},
		{"a deleted app", deleted.ClientID},
		{"no app", "f781997b-c958-4808-a804-5eef2f8102c2"},
	} {
		emu.ResetCalls()
		got, err := c.FindAppByClientID(ctx, tc.clientID)
		var miss *ClientIDNotFoundError
		if got != nil || !IsNotFound(err) || !errors.As(err, &miss) || miss.ClientID != tc.clientID || miss.Listed != 249 {
			t.Errorf("%s: got %+v, %v; want a miss after listing 249 apps", tc.what, got, err)
		} else if !strings.Contains(err.Error(), tc.clientID) {
			t.Errorf("%s: error %q does not name the client id", tc.what, err)
		}
		if n := emu.Calls(emulator.RouteListApps); n != 3 {
			t.Errorf("%s: %d list calls, want 3 (every page)", tc.what, n)
		}
	}

	// What is not a client id is refused before any call: an empty one
	// would otherwise read every page for nothing.
	emu.ResetCalls()
	for _, bad := range []string{"", apps[1].ID, strings.ToUpper(apps[1].ClientID)} {
		if got, err := c.FindAppByClientID(ctx, bad); got != nil || err == nil || IsNotFound(err) {
			t.Errorf("FindAppByClientID(%q) = %+v, %v; want a format error", bad, got, err)
		}
	}
	if calls := emu.CallCounts(); len(calls) != 0 {
		t.Errorf("malformed client ids reached PipesHub: %v", calls)
	}
}

func TestErrorMappingAgainstEmulator(t *testing.T) {
	t.Parallel()
	_, url := newEmulator(t, emulator.Config{})
	c, _ := newTestClient(t, url, nil)
	member, _ := newTestClient(t, url, func(cfg *Config) { cfg.BearerToken = testMemberToken })
	ctx := context.Background()

	_, err := c.GetApp(ctx, "ffffffffffffffffffffffff")
	if want := "PipesHub API: GET /oauth-clients/ffffffffffffffffffffffff: HTTP 404 HTTP_NOT_FOUND: OAuth app not found"; !IsNotFound(err) || err.Error() != want {
		t.Errorf("unknown app: %v", err)
	}

	var apiErr *APIError
	_, err = c.CreateApp(ctx, CreateAppRequest{Name: "", AllowedScopes: []string{"openid"}, AllowedGrantTypes: []string{GrantClientCredentials}})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Code != "VALIDATION_ERROR" ||
		apiErr.Message != "String must contain at least 1 character(s)" || MayHaveApplied(err) {
		t.Errorf("empty name: %v", err)
	}

	_, err = c.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"read:records"}, AllowedGrantTypes: []string{GrantClientCredentials}})
	if !errors.As(err, &apiErr) || apiErr.Code != "OAUTH_INVALID_SCOPE" || apiErr.Message != "Invalid scopes: read:records" {
		t.Errorf("unknown scope: %v", err)
	}
	_, err = member.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"org:admin"}, AllowedGrantTypes: []string{GrantClientCredentials}})
	if !errors.As(err, &apiErr) || apiErr.Code != "OAUTH_INVALID_SCOPE" || apiErr.Message != "Scopes not allowed for this role: org:admin" {
		t.Errorf("admin-only scope as a member: %v", err)
	}

	stranger, _ := newTestClient(t, url, func(cfg *Config) { cfg.BearerToken = "not-a-known-token-3c9d" })
	_, err = stranger.ListApps(ctx, ListAppsParams{})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "HTTP_UNAUTHORIZED" || IsNotFound(err) {
		t.Errorf("unknown token: %v", err)
	}
	assertNoSecrets(t, "401 error", err.Error(), "not-a-known-token-3c9d")

	// Apps are visible only to their creator: another user gets 404.
	app, err := c.CreateApp(ctx, clientCredentialsApp("private"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := member.GetApp(ctx, app.ID); !IsNotFound(err) {
		t.Errorf("someone else's app: %v", err)
	}

	// An id that is not 24 hex never leaves the client (GET
	// /oauth-clients/scopes is a real route).
	for _, id := range []string{"", "scopes", "../oauth-clients", "0123"} {
		if _, err := c.GetApp(ctx, id); err == nil || !strings.Contains(err.Error(), "24 hexadecimal") {
			t.Errorf("GetApp(%q): %v", id, err)
		}
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	emu, c, logger := emulatorClient(t, nil)
	ctx := context.Background()
	app, err := c.CreateApp(ctx, clientCredentialsApp("retry-after"))
	if err != nil {
		t.Fatal(err)
	}
	emu.InjectFault(emulator.Fault{Route: emulator.RouteGetApp, Status: 429, RetryAfter: time.Second})
	emu.ResetCalls()
	start := time.Now()
	if _, err := c.GetApp(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	// RetryWaitMax is 5 ms in these tests: only Retry-After explains a 1 s wait.
	if elapsed := time.Since(start); elapsed < 950*time.Millisecond {
		t.Errorf("retried after %s, Retry-After asked for 1s", elapsed)
	}
	if n := emu.Calls(emulator.RouteGetApp); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
	if logger.count("WARN retrying") != 1 {
		t.Errorf("log: %v", logger.all())
	}
}

func TestGetRetriedOn503(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	ctx := context.Background()
	app, err := c.CreateApp(ctx, clientCredentialsApp("flaky"))
	if err != nil {
		t.Fatal(err)
	}
	emu.InjectFault(emulator.Fault{Route: emulator.RouteGetApp, Status: 503, Count: 2})
	emu.ResetCalls()
	if got, err := c.GetApp(ctx, app.ID); err != nil || got.ID != app.ID {
		t.Fatalf("get: %v", err)
	}
	if n := emu.Calls(emulator.RouteGetApp); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestCreateNotRetriedOn500(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Status: 500, Count: 3})
	_, err := c.CreateApp(context.Background(), clientCredentialsApp("once"))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Code != "INTERNAL_ERROR" || !MayHaveApplied(err) {
		t.Fatalf("want a 500 that may have applied, got %v", err)
	}
	if n := emu.Calls(emulator.RouteCreateApp); n != 1 {
		t.Errorf("create sent %d times, want 1", n)
	}
}

func TestCreateNotRetriedWhenResponseLost(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	ctx := context.Background()
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
	_, err := c.CreateApp(ctx, clientCredentialsApp("lost"))
	if err == nil || !MayHaveApplied(err) {
		t.Fatalf("want an error that may have applied, got %v", err)
	}
	if n := emu.Calls(emulator.RouteCreateApp); n != 1 {
		t.Errorf("create sent %d times, want 1", n)
	}
	// It was applied: the caller can find it.
	apps, err := c.ListAllApps(ctx, "", "lost")
	if err != nil || len(apps) != 1 {
		t.Errorf("the applied create is not listed: %d apps, %v", len(apps), err)
	}
}

func TestCreateRetriedOn429(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Status: 429, Count: 2})
	if _, err := c.CreateApp(context.Background(), clientCredentialsApp("patient")); err != nil {
		t.Fatal(err)
	}
	if n := emu.Calls(emulator.RouteCreateApp); n != 3 {
		t.Errorf("create sent %d times, want 3", n)
	}
	if apps, _ := c.ListAllApps(context.Background(), "", ""); len(apps) != 1 {
		t.Errorf("%d apps exist, want 1", len(apps))
	}
}

func TestCancelEndsRetryAfterWaitAgainstEmulator(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	// An hour's wait: had the cancellation not ended it, the test would time out.
	emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 429, RetryAfter: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.ListApps(ctx, ListAppsParams{})
	if !errors.Is(err, context.Canceled) || emu.Calls(emulator.RouteListApps) != 1 {
		t.Errorf("want context.Canceled after one call, got %v after %d", err, emu.Calls(emulator.RouteListApps))
	}
}

func TestDeadlineShorterThanRetryAfterAgainstEmulator(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 429, RetryAfter: 42 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Had it waited, the deadline would have ended the wait, not the 429.
	_, err := c.ListApps(ctx, ListAppsParams{})
	want := "PipesHub API: GET /oauth-clients: HTTP 429 HTTP_TOO_MANY_REQUESTS: Too many OAuth client requests. Please try again later. (retry after 42s)"
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestEmulatorRateLimitWithRetries runs a burst bigger than the emulator's
// window allows: Retry-After and pacing carry every request through.
func TestEmulatorRateLimitWithRetries(t *testing.T) {
	t.Parallel()
	emu, url := newEmulator(t, emulator.Config{RateLimit: 10, RateWindow: time.Second})
	c, _ := newTestClient(t, url, func(cfg *Config) { cfg.MaxRetries = 5 })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 25 {
		if _, err := c.ListApps(ctx, ListAppsParams{}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if n := emu.Calls(emulator.RouteListApps); n > 30 {
		t.Errorf("%d calls for 25 requests: pacing should keep 429s rare", n)
	}
}

// TestNoSecretInErrorsOrLogs runs every operation, successes and failures,
// and scans every error and log line for the bearer token and every client
// secret the API handed out.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	emu, c, logger := emulatorClient(t, nil)
	ctx := context.Background()
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	app, err := c.CreateApp(ctx, clientCredentialsApp("secretive"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{app.ClientSecret}
	regenerated, err := c.RegenerateSecret(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, regenerated.ClientSecret)
	token, err := c.ClientCredentialsToken(ctx, app.ClientID, regenerated.ClientSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, token.AccessToken)

	_, err = c.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, nil) // old secret: 401
	note(err)
	_, err = c.ClientCredentialsToken(ctx, app.ClientID, regenerated.ClientSecret, []string{"nope"})
	note(err)
	note(c.RevokeToken(ctx, app.ClientID, app.ClientSecret, token.AccessToken)) // old secret: 401
	_, err = c.ListApps(ctx, ListAppsParams{Page: 2})
	note(err)
	_, err = c.ListScopes(ctx)
	note(err)
	_, err = c.UpdateApp(ctx, app.ID, UpdateAppRequest{HomepageURL: Set("not a url")})
	note(err)
	_, err = c.ActivateApp(ctx, app.ID) // already active: 400
	note(err)
	_, err = c.SuspendApp(ctx, app.ID)
	note(err)
	_, err = c.ListTokens(ctx, app.ID)
	note(err)
	note(c.RevokeAllTokens(ctx, app.ID))
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
	_, err = c.CreateApp(ctx, clientCredentialsApp("lost"))
	note(err)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteRegenerateSecret, Status: 503, Count: 5})
	_, err = c.RegenerateSecret(ctx, app.ID)
	note(err)
	note(c.DeleteApp(ctx, app.ID))
	_, err = c.GetApp(ctx, app.ID)
	note(err)
	if len(errs) < 6 {
		t.Fatalf("only %d failures exercised: %v", len(errs), errs)
	}
	for _, err := range errs {
		assertNoSecrets(t, "error", err.Error(), secrets...)
		assertNoSecrets(t, "error", fmt.Sprintf("%#v", err), secrets...)
	}
	lines := logger.all()
	if len(lines) < 20 {
		t.Fatalf("only %d log lines", len(lines))
	}
	for _, line := range lines {
		assertNoSecrets(t, "log line", line, secrets...)
	}
}
