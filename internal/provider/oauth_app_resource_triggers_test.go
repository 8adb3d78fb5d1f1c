package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Changing secret_rotation_triggers regenerates the secret in place (the old
// one is refused at once); changing token_revocation_triggers revokes every
// token. Neither does anything at creation.
func TestAccOAuthApp_rotationAndRevocation(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := func(rotation, revocation string) string {
		return appConfig(url, testAccAdminToken, fmt.Sprintf(`
  name                      = "tfacc rotation"
  allowed_grant_types       = ["client_credentials"]
  allowed_scopes            = ["kb:read"]
  secret_rotation_triggers  = { v = %q }
  token_revocation_triggers = { v = %q }`, rotation, revocation))
	}
	// Each check mints a token with the secret in state, which the revocation must then revoke.
	mint := expectWorkingSecret(api, appAddr)
	expectTokens := func(want int) statecheck.StateCheck {
		return stateCheckFunc(func(state *tfjson.State) error {
			r, err := stateResource(state, appAddr)
			if err != nil {
				return err
			}
			tokens, err := api.ListTokens(context.Background(), r.AttributeValues["id"].(string))
			if err != nil {
				return err
			}
			if len(tokens) != want {
				return fmt.Errorf("%d live tokens, want %d", len(tokens), want)
			}
			return nil
		})
	}
	// Captured, not compared: the rotation step proves at the token endpoint
	// that this secret stopped working, when the state holds only the new one.
	var firstSecret string
	sameID := statecheck.CompareValue(compare.ValuesSame())
	rotated := statecheck.CompareValue(compare.ValuesDiffer())
	sameSecret := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				PreConfig: emu.ResetCalls,
				Config:    config("1", "1"),
				Check: resource.ComposeTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1}),
					captureAttr(appAddr, "client_secret", &firstSecret),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(appAddr, tfjsonpath.New("id")),
					rotated.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					mint, mint,
					expectTokens(2),
				},
			},
			{
				PreConfig: emu.ResetCalls,
				Config:    config("2", "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("client_secret")),
					plancheck.ExpectSensitiveValue(appAddr, tfjsonpath.New("client_secret")),
				}},
				Check: expectWrites(emu, -1, map[string]int{emulator.RouteRegenerateSecret: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(appAddr, tfjsonpath.New("id")),
					rotated.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					stateCheckFunc(func(state *tfjson.State) error {
						r, err := stateResource(state, appAddr)
						if err != nil {
							return err
						}
						var oauthErr *client.OAuthError
						switch _, err := api.ClientCredentialsToken(context.Background(), r.AttributeValues["client_id"].(string), firstSecret, nil); {
						case err == nil:
							return errors.New("the old secret still mints tokens, want 401 invalid_client")
						case !errors.As(err, &oauthErr) || oauthErr.StatusCode != http.StatusUnauthorized:
							return fmt.Errorf("old secret: want 401 invalid_client, got %w", err)
						}
						return nil
					}),
					mint,
					expectTokens(3), // rotation revokes nothing
				},
			},
			{
				PreConfig: emu.ResetCalls,
				Config:    config("2", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
				}},
				Check: expectWrites(emu, -1, map[string]int{emulator.RouteRevokeAllTokens: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					expectTokens(0),
				},
			},
		},
	})
}

// A create whose response is lost after PipesHub applied it is recovered:
// the app is adopted (one POST, one app) and a secret regenerated into state.
func TestAccOAuthApp_createRecoversLostResponse(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				emu.ResetCalls()
				emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
			},
			Config: appConfig(url, testAccAdminToken, `
  name                = "tfacc lost response"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]`),
			Check: expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1, emulator.RouteRegenerateSecret: 1}),
			ConfigStateChecks: []statecheck.StateCheck{
				expectOneServerApp(api),
				expectWorkingSecret(api, appAddr),
			},
		}},
	})
}
