package client

import (
	"context"
	"errors"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestClientSecretWorksAgainstEmulator: the current secret works, the one a
// regeneration replaced does not, an app without client_credentials is
// checked too, a suspended app cannot be checked, and no check leaves a
// token behind.
func TestClientSecretWorksAgainstEmulator(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	ctx := context.Background()
	machine, err := c.CreateApp(ctx, clientCredentialsApp("checked"))
	if err != nil {
		t.Fatal(err)
	}
	authCode := clientCredentialsApp("checked, authorization_code only")
	authCode.AllowedGrantTypes = []string{GrantAuthorizationCode}
	authCode.RedirectURIs = []string{"https://app.example.com/cb"}
	browser, err := c.CreateApp(ctx, authCode)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(what string, app *AppWithSecret, secret string, want bool) {
		t.Helper()
		emu.ResetCalls()
		got, err := c.ClientSecretWorks(ctx, app.ClientID, secret)
		if err != nil || got != want {
			t.Fatalf("%s: ClientSecretWorks = %v, %v; want %v", what, got, err, want)
		}
		if calls := emu.CallCounts(); len(calls) != 1 || calls[emulator.RouteToken] != 1 {
			t.Fatalf("%s: calls %v, want the one token request", what, calls)
		}
	}
	expect("current secret", machine, machine.ClientSecret, true)
	expect("current secret of an app without client_credentials", browser, browser.ClientSecret, true)
	expect("wrong secret of an app without client_credentials", browser, machine.ClientSecret, false)
	if _, err := c.RegenerateSecret(ctx, machine.ID); err != nil {
		t.Fatal(err)
	}
	expect("replaced secret", machine, machine.ClientSecret, false)

	if tokens, err := c.ListTokens(ctx, machine.ID); err != nil || len(tokens) != 0 {
		t.Fatalf("checks left tokens: %v, %v", tokens, err)
	}
	if _, err := c.SuspendApp(ctx, machine.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ClientSecretWorks(ctx, machine.ClientID, machine.ClientSecret); !errors.Is(err, ErrSecretCheckInconclusive) {
		t.Fatalf("suspended app: err = %v, want ErrSecretCheckInconclusive", err)
	}
}
