package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

const appAddr = "pipeshub_oauth_app.test"

// appConfig is a provider block plus one pipeshub_oauth_app "test" with the given body.
func appConfig(serverURL, token, body string) string {
	return testAccProviderConfig(serverURL, token) + "\nresource \"pipeshub_oauth_app\" \"test\" {\n" + body + "\n}\n"
}

func TestAccOAuthApp_lifecycle(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	minimal := `
  name           = "tfacc lifecycle"
  redirect_uris  = ["https://app.example.com/cb"]
  allowed_scopes = ["openid", "kb:read"]`
	full := `
  name                   = "tfacc lifecycle renamed"
  description            = "Every attribute changed in place"
  redirect_uris          = ["https://app.example.com/cb2", "http://localhost:3000/cb"]
  allowed_scopes         = ["openid", "kb:read", "kb:write", "semantic:read"]
  allowed_grant_types    = ["authorization_code", "refresh_token", "client_credentials"]
  homepage_url           = "https://app.example.com"
  privacy_policy_url     = "https://app.example.com/privacy"
  terms_of_service_url   = "https://app.example.com/terms"
  access_token_lifetime  = 900
  refresh_token_lifetime = 86400`
	cleared := `
  name                   = "tfacc lifecycle renamed"
  redirect_uris          = ["http://localhost:3000/cb", "https://app.example.com/cb2"]
  allowed_scopes         = ["semantic:read", "kb:write", "kb:read", "openid"]
  allowed_grant_types    = ["client_credentials", "refresh_token", "authorization_code"]
  access_token_lifetime  = 900
  refresh_token_lifetime = 86400`
	var id, secret string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectNoApps(api),
		Steps: []resource.TestStep{
			{
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, minimal),
				Check: resource.ComposeAggregateTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1}),
					resource.TestMatchResourceAttr(appAddr, "id", hex24),
					resource.TestMatchResourceAttr(appAddr, "client_secret", hex64),
					resource.TestMatchResourceAttr(appAddr, "slug", regexp.MustCompile(`^oauthapp-\d+$`)),
					resource.TestCheckResourceAttrSet(appAddr, "client_id"),
					resource.TestCheckResourceAttrSet(appAddr, "created_at"),
					resource.TestCheckResourceAttrSet(appAddr, "updated_at"),
					resource.TestCheckNoResourceAttr(appAddr, "description"),
					resource.TestCheckTypeSetElemAttr(appAddr, "allowed_grant_types.*", "authorization_code"),
					resource.TestCheckTypeSetElemAttr(appAddr, "allowed_grant_types.*", "refresh_token"),
					resource.TestCheckResourceAttr(appAddr, "allowed_grant_types.#", "2"),
					resource.TestCheckResourceAttr(appAddr, "is_confidential", "true"),
					resource.TestCheckResourceAttr(appAddr, "access_token_lifetime", "3600"),
					resource.TestCheckResourceAttr(appAddr, "refresh_token_lifetime", "2592000"),
					resource.TestCheckResourceAttr(appAddr, "status", "active"),
					captureAttr(appAddr, "id", &id),
					captureAttr(appAddr, "client_secret", &secret),
				),
			},
			{ // read = 1 GET, no write
				PreConfig:    emu.ResetCalls,
				RefreshState: true,
				Check:        expectWrites(emu, 1, nil),
			},
			{ // every attribute in place, in one PUT
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, full),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.NotNull()),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteUpdateApp: 1}),
					resource.TestCheckResourceAttrPtr(appAddr, "id", &id),
					resource.TestCheckResourceAttrPtr(appAddr, "client_secret", &secret),
					resource.TestCheckResourceAttr(appAddr, "name", "tfacc lifecycle renamed"),
					resource.TestCheckResourceAttr(appAddr, "description", "Every attribute changed in place"),
					resource.TestCheckResourceAttr(appAddr, "redirect_uris.#", "2"),
					resource.TestCheckResourceAttr(appAddr, "allowed_scopes.#", "4"),
					resource.TestCheckResourceAttr(appAddr, "allowed_grant_types.#", "3"),
					resource.TestCheckResourceAttr(appAddr, "homepage_url", "https://app.example.com"),
					resource.TestCheckResourceAttr(appAddr, "privacy_policy_url", "https://app.example.com/privacy"),
					resource.TestCheckResourceAttr(appAddr, "terms_of_service_url", "https://app.example.com/terms"),
					resource.TestCheckResourceAttr(appAddr, "access_token_lifetime", "900"),
					resource.TestCheckResourceAttr(appAddr, "refresh_token_lifetime", "86400"),
				),
			},
			{ // removing description and URLs clears them on the server; reordering sets changes nothing else
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared),
				Check: resource.ComposeAggregateTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteUpdateApp: 1}),
					resource.TestCheckNoResourceAttr(appAddr, "description"),
					resource.TestCheckNoResourceAttr(appAddr, "homepage_url"),
					resource.TestCheckNoResourceAttr(appAddr, "privacy_policy_url"),
					resource.TestCheckNoResourceAttr(appAddr, "terms_of_service_url"),
					expectServerApp(api, &id, func(app *client.App) error {
						if (app.Description != nil && *app.Description != "") || app.HomepageURL != nil ||
							app.PrivacyPolicyURL != nil || app.TermsOfServiceURL != nil {
							return fmt.Errorf("not cleared on the server: %+v", app)
						}
						return nil
					}),
				),
			},
			{ // suspend: no PUT, one suspend
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared+"\n  status = \"suspended\""),
				Check: resource.ComposeAggregateTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteSuspendApp: 1}),
					resource.TestCheckResourceAttr(appAddr, "status", "suspended"),
				),
			},
			{ // activate: one activate
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared+"\n  status = \"active\""),
				Check: resource.ComposeAggregateTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteActivateApp: 1}),
					resource.TestCheckResourceAttr(appAddr, "status", "active"),
				),
			},
			{ // a no-op apply writes nothing
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared+"\n  status = \"active\""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: expectWrites(emu, -1, nil),
			},
			{ // is_confidential cannot change in place: replacement
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared+"\n  is_confidential = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionReplace),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1, emulator.RouteDeleteApp: 1}),
					resource.TestCheckResourceAttr(appAddr, "is_confidential", "false"),
					func(s *terraform.State) error {
						if s.RootModule().Resources[appAddr].Primary.ID == id {
							return errors.New("id unchanged after replacement")
						}
						return nil
					},
				),
			},
		},
	})
}

// expectNoApps checks that the test user has no app left.
func expectNoApps(api *client.Client) resource.TestCheckFunc {
	return func(*terraform.State) error {
		apps, err := api.ListAllApps(context.Background(), "", "")
		if err != nil {
			return err
		}
		if len(apps) != 0 {
			return fmt.Errorf("%d apps left after destroy", len(apps))
		}
		return nil
	}
}

// expectServerApp runs check on the app as PipesHub has it.
func expectServerApp(api *client.Client, id *string, check func(*client.App) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		app, err := api.GetApp(context.Background(), *id)
		if err != nil {
			return err
		}
		return check(app)
	}
}
