package client

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestRevokeTokenAgainstEmulator: a revoked token leaves ListTokens, the
// app's other token stays, revoking again succeeds, a wrong secret is an
// invalid_client OAuthError, and a 503 is retried (revoke is idempotent).
func TestRevokeTokenAgainstEmulator(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	ctx := context.Background()
	app, err := c.CreateApp(ctx, clientCredentialsApp("revoking"))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := c.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, []string{"org:read"})
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := c.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, []string{"kb:read"})
	if err != nil {
		t.Fatal(err)
	}
	listedScopes := func() [][]string {
		t.Helper()
		tokens, err := c.ListTokens(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]string
		for _, tok := range tokens {
			out = append(out, tok.Scopes)
		}
		return out
	}
	if got := listedScopes(); len(got) != 2 {
		t.Fatalf("before revoking: %v", got)
	}

	for i := range 2 {
		if err := c.RevokeToken(ctx, app.ClientID, app.ClientSecret, revoked.AccessToken); err != nil {
			t.Fatalf("revoke %d: %v", i+1, err)
		}
	}
	if got := listedScopes(); len(got) != 1 || !slices.Equal(got[0], []string{"org:read"}) {
		t.Fatalf("after revoking the kb:read token, listed: %v", got)
	}

	err = c.RevokeToken(ctx, app.ClientID, "wrong-secret", kept.AccessToken)
	var oauthErr *OAuthError
	if !errors.As(err, &oauthErr) || oauthErr.StatusCode != 401 || oauthErr.ErrorCode != "invalid_client" ||
		err.Error() != "PipesHub OAuth revoke endpoint: HTTP 401 invalid_client: Invalid client credentials" {
		t.Fatalf("wrong secret: %v", err)
	}
	assertNoSecrets(t, "error", err.Error(), app.ClientSecret, kept.AccessToken)
	if got := listedScopes(); len(got) != 1 {
		t.Fatalf("a refused revoke revoked something: %v", got)
	}

	emu.ResetCalls()
	emu.InjectFault(emulator.Fault{Route: emulator.RouteRevokeToken, Status: 503})
	if err := c.RevokeToken(ctx, app.ClientID, app.ClientSecret, kept.AccessToken); err != nil {
		t.Fatalf("revoke after a 503: %v", err)
	}
	if n := emu.Calls(emulator.RouteRevokeToken); n != 2 {
		t.Errorf("revoke calls: %d, want 2 (one 503, one retry)", n)
	}
	if got := listedScopes(); len(got) != 0 {
		t.Fatalf("after revoking both: %v", got)
	}

	if err := c.RevokeToken(ctx, "", app.ClientSecret, "t"); err == nil {
		t.Error("an empty client ID was accepted")
	}
	if err := c.RevokeToken(ctx, app.ClientID, app.ClientSecret, ""); err == nil {
		t.Error("an empty token was accepted")
	}
}
