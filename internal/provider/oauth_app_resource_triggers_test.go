package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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
	var id, clientID, firstSecret, secondSecret string
	mint := func(secret string) error {
		_, err := api.ClientCredentialsToken(context.Background(), clientID, secret, nil)
		return err
	}
	expectTokens := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			tokens, err := api.ListTokens(context.Background(), id)
			if err != nil {
				return err
			}
			if len(tokens) != want {
				return fmt.Errorf("%d live tokens, want %d", len(tokens), want)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: emu.ResetCalls,
				Config:    config("1", "1"),
				Check: resource.ComposeTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1}),
					captureAttr(appAddr, "id", &id),
					captureAttr(appAddr, "client_id", &clientID),
					captureAttr(appAddr, "client_secret", &firstSecret),
					func(*terraform.State) error { return errors.Join(mint(firstSecret), mint(firstSecret)) },
					expectTokens(2),
				),
			},
			{
				PreConfig: emu.ResetCalls,
				Config:    config("2", "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("client_secret")),
					plancheck.ExpectSensitiveValue(appAddr, tfjsonpath.New("client_secret")),
				}},
				Check: resource.ComposeTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteRegenerateSecret: 1}),
					resource.TestCheckResourceAttrPtr(appAddr, "id", &id),
					captureAttr(appAddr, "client_secret", &secondSecret),
					func(*terraform.State) error {
						if secondSecret == firstSecret {
							return errors.New("client_secret unchanged after rotation")
						}
						var oauthErr *client.OAuthError
						switch err := mint(firstSecret); {
						case err == nil:
							return errors.New("the old secret still mints tokens, want 401 invalid_client")
						case !errors.As(err, &oauthErr) || oauthErr.StatusCode != http.StatusUnauthorized:
							return fmt.Errorf("old secret: want 401 invalid_client, got %w", err)
						}
						return mint(secondSecret)
					},
					expectTokens(3), // rotation revokes nothing
				),
			},
			{
				PreConfig: emu.ResetCalls,
				Config:    config("2", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteRevokeAllTokens: 1}),
					resource.TestCheckResourceAttrPtr(appAddr, "client_secret", &secondSecret),
					expectTokens(0),
				),
			},
		},
	})
}

// A create whose response is lost after PipesHub applied it is recovered:
// the app is adopted (one POST, one app) and a secret regenerated into state.
func TestAccOAuthApp_createRecoversLostResponse(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	var clientID, secret string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				emu.ResetCalls()
				emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
			},
			Config: appConfig(url, testAccAdminToken, `
  name                = "tfacc lost response"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]`),
			Check: resource.ComposeTestCheckFunc(
				expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1, emulator.RouteRegenerateSecret: 1}),
				captureAttr(appAddr, "client_id", &clientID),
				captureAttr(appAddr, "client_secret", &secret),
				func(*terraform.State) error {
					apps, err := api.ListAllApps(context.Background(), "", "")
					if err != nil {
						return fmt.Errorf("list the apps on the server: %w", err)
					}
					if len(apps) != 1 {
						return fmt.Errorf("apps on the server: %d, want 1", len(apps))
					}
					_, err = api.ClientCredentialsToken(context.Background(), clientID, secret, nil)
					return err
				},
			),
		}},
	})
}
