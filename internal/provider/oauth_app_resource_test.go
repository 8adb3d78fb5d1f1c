package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

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
	// One app from the first step to the replacement, keeping its secret;
	// the replacement is another app.
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	replaced := statecheck.CompareValue(compare.ValuesDiffer())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, minimal),
				Check:     expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(hex24)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("slug"), knownvalue.StringRegexp(regexp.MustCompile(`^oauthapp-\d+$`))),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_id"), knownvalue.StringRegexp(uuid)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(rfc3339)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("allowed_grant_types"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("authorization_code"), knownvalue.StringExact("refresh_token"),
					})),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("is_confidential"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("access_token_lifetime"), knownvalue.Int64Exact(3600)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("refresh_token_lifetime"), knownvalue.Int64Exact(2592000)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					sameID.AddStateValue(appAddr, tfjsonpath.New("id")),
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					replaced.AddStateValue(appAddr, tfjsonpath.New("id")),
				},
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
				Check: expectWrites(emu, -1, map[string]int{emulator.RouteUpdateApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(appAddr, tfjsonpath.New("id")),
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact("tfacc lifecycle renamed")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("description"), knownvalue.StringExact("Every attribute changed in place")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("redirect_uris"), knownvalue.SetSizeExact(2)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("allowed_scopes"), knownvalue.SetSizeExact(4)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("allowed_grant_types"), knownvalue.SetSizeExact(3)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("homepage_url"), knownvalue.StringExact("https://app.example.com")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("privacy_policy_url"), knownvalue.StringExact("https://app.example.com/privacy")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("terms_of_service_url"), knownvalue.StringExact("https://app.example.com/terms")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("access_token_lifetime"), knownvalue.Int64Exact(900)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("refresh_token_lifetime"), knownvalue.Int64Exact(86400)),
				},
			},
			{ // removing description and URLs clears them on the server; reordering sets changes nothing else
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared),
				Check:     expectWrites(emu, -1, map[string]int{emulator.RouteUpdateApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("homepage_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("privacy_policy_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("terms_of_service_url"), knownvalue.Null()),
					expectServerApp(api, appAddr, func(app *client.App) error {
						if (app.Description != nil && *app.Description != "") || app.HomepageURL != nil ||
							app.PrivacyPolicyURL != nil || app.TermsOfServiceURL != nil {
							return fmt.Errorf("not cleared on the server: %+v", app)
						}
						return nil
					}),
				},
			},
			{ // suspend: no PUT, one suspend
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared+"\n  status = \"suspended\""),
				Check:     expectWrites(emu, -1, map[string]int{emulator.RouteSuspendApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact("suspended")),
				},
			},
			{ // activate: one activate
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared+"\n  status = \"active\""),
				Check:     expectWrites(emu, -1, map[string]int{emulator.RouteActivateApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
			},
			{ // a no-op apply writes nothing
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared+"\n  status = \"active\""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: expectWrites(emu, -1, nil),
			},
			{ // is_confidential cannot change in place: replacement, and the old app is gone
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, cleared+"\n  is_confidential = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionReplace),
				}},
				Check: expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1, emulator.RouteDeleteApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("is_confidential"), knownvalue.Bool(false)),
					replaced.AddStateValue(appAddr, tfjsonpath.New("id")),
					expectOneServerApp(api),
				},
			},
		},
	})
}

// expectServerApp runs check on the app at address as PipesHub has it.
func expectServerApp(api *client.Client, address string, check func(*client.App) error) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		r, err := stateResource(state, address)
		if err != nil {
			return err
		}
		id, _ := r.AttributeValues["id"].(string)
		app, err := api.GetApp(context.Background(), id)
		if err != nil {
			return err
		}
		return check(app)
	})
}
