package client

import (
	"context"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestBrokenSuccessAnswers: a 2xx whose body is cut off or unreadable was
// applied. A call that needs the body sends its repeatable request again; a
// call that needs nothing from it (delete, revoke-all) succeeds at once.
func TestBrokenSuccessAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		route string
		run   func(t *testing.T, c *Client, id string) error
		calls int
	}{
		{"update", emulator.RouteUpdateApp, func(t *testing.T, c *Client, id string) error {
			app, err := c.UpdateApp(context.Background(), id, UpdateAppRequest{Name: ptr("renamed")})
			if err == nil && app.Name != "renamed" {
				t.Errorf("name %q", app.Name)
			}
			return err
		}, 2},
		{"regenerate", emulator.RouteRegenerateSecret, func(t *testing.T, c *Client, id string) error {
			secret, err := c.RegenerateSecret(context.Background(), id)
			if err == nil {
				app, getErr := c.GetApp(context.Background(), id)
				if getErr != nil {
					return getErr
				}
				expectWorkingSecret(t, c, &AppWithSecret{App: *app, ClientSecret: secret.ClientSecret})
			}
			return err
		}, 2},
		{"scopes", emulator.RouteListScopes, func(t *testing.T, c *Client, _ string) error {
			catalogue, err := c.ListScopes(context.Background())
			if err == nil && len(catalogue.Scopes) != 39 {
				t.Errorf("%d scopes, want 39", len(catalogue.Scopes))
			}
			return err
		}, 2},
		{"delete", emulator.RouteDeleteApp, func(_ *testing.T, c *Client, id string) error { return c.DeleteApp(context.Background(), id) }, 1},
		{"revoke-all", emulator.RouteRevokeAllTokens, func(_ *testing.T, c *Client, id string) error {
			return c.RevokeAllTokens(context.Background(), id)
		}, 1},
	} {
		for _, body := range []emulator.BodyFault{emulator.BodyMalformed, emulator.BodyTruncated} {
			t.Run(tc.name+"/"+body.String(), func(t *testing.T) {
				t.Parallel()
				emu, c, _ := emulatorClient(t, nil)
				created, err := c.CreateApp(context.Background(), clientCredentialsApp("broken"))
				if err != nil {
					t.Fatal(err)
				}
				emu.InjectFault(emulator.Fault{Route: tc.route, ApplyThenBody: body})
				calls := tc.calls
				if body == emulator.BodyTruncated && tc.calls == 1 {
					calls = 2 // the body could not be read, so the request is repeated
				}
				err = tc.run(t, c, created.ID)
				if tc.route == emulator.RouteDeleteApp && calls == 2 && IsNotFound(err) {
					err = nil // the repeat finds the app gone, which callers count as deleted
				}
				if err != nil {
					t.Fatalf("body fault %d: %v", body, err)
				}
				if got := emu.Calls(tc.route); got != calls {
					t.Errorf("body fault %d: %d calls of %s, want %d", body, got, tc.route, calls)
				}
			})
		}
	}
}
