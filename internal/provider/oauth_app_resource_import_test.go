package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// An app suspended at creation, then imported by command, by block, and by
// block with generated configuration, each planning no change.
func TestAccOAuthApp_suspendedAtCreateAndImport(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	apiFields := `
  name            = "tfacc import"
  description     = "Imported three ways"
  redirect_uris   = ["https://app.example.com/cb"]
  allowed_scopes  = ["openid", "profile", "kb:read"]
  homepage_url    = "https://app.example.com"
  status          = "suspended"
  is_confidential = false`
	// Terraform-only attributes cannot be imported; an import block with
	// them in the configuration would plan their change.
	terraformOnly := `
  secret_rotation_triggers = { v = "1" }
  timeouts {
    create = "2m"
  }`
	// What the import cannot read back, so ImportStateVerify skips it:
	ignore := []string{
		"client_secret",             // PipesHub shows a secret when it makes one, never on a read
		"secret_rotation_triggers",  // Terraform-only: PipesHub has nothing to import it from
		"token_revocation_triggers", // Terraform-only
		"timeouts",                  // Terraform-only
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				PreConfig: emu.ResetCalls,
				Config:    appConfig(url, testAccAdminToken, apiFields+terraformOnly),
				Check:     expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1, emulator.RouteSuspendApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact("suspended")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
				},
			},
			{
				ResourceName:            appAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: ignore,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d instances", len(states))
					}
					if secret := states[0].Attributes["client_secret"]; secret != "" {
						return fmt.Errorf("client_secret after import = %q, want null", secret)
					}
					return nil
				},
			},
			{
				// terraform import by client_id: the same state as by id.
				PreConfig:               emu.ResetCalls,
				ResourceName:            appAddr,
				ImportState:             true,
				ImportStateIdFunc:       clientIDOf(appAddr),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: ignore,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					// The client id was resolved by one page of the list, then the app read by id.
					if calls := emu.CallCounts(); calls[emulator.RouteListApps] != 1 || calls[emulator.RouteGetApp] == 0 {
						return fmt.Errorf("import by client_id made %v, want 1 list call and GETs by id", calls)
					}
					if len(states) != 1 || states[0].ID != states[0].Attributes["id"] || !hex24.MatchString(states[0].ID) {
						return fmt.Errorf("imported %v, want one app whose id is the 24-hex id", states)
					}
					return nil
				},
			},
			{
				ResourceName:  appAddr,
				ImportState:   true,
				ImportStateId: "f781997b-c958-4808-a804-5eef2f8102c2", // a client_id no app of the caller has
				ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)Cannot import OAuth app: not visible to this credential.*`+
					`no OAuth app with client_id "f781997b-c958-4808-a804-5eef2f8102c2" visible.*only to the user who created it`, " ", `\s+`)),
			},
			{
				ResourceName:  appAddr,
				ImportState:   true,
				ImportStateId: "oauthapp-1", // the slug: neither an id nor a client id
				ExpectError:   regexp.MustCompile(`(?s)Invalid import ID.*"oauthapp-1" is neither a PipesHub OAuth app id.*nor an\s+OAuth\s+client\s+id`),
			},
			{
				Config:          appConfig(url, testAccAdminToken, apiFields),
				ResourceName:    appAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				// An import block whose id is the client_id plans the import and no change.
				Config:            appConfig(url, testAccAdminToken, apiFields),
				ResourceName:      appAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: clientIDOf(appAddr),
			},
			{
				ResourceName:    appAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				GenerateConfig:  true,
				Config:          testAccProviderConfig(url, testAccAdminToken),
			},
		},
	})
}

// clientIDOf is an ImportStateIdFunc: the client_id of the resource at address.
func clientIDOf(address string) resource.ImportStateIdFunc {
	return func(state *terraform.State) (string, error) {
		rs, ok := state.RootModule().Resources[address]
		if !ok || rs.Primary.Attributes["client_id"] == "" {
			return "", fmt.Errorf("no client_id of %s in state", address)
		}
		return rs.Primary.Attributes["client_id"], nil
	}
}

// An app created outside Terraform and imported with an import block gets a
// working secret through secret_rotation_triggers, in the same apply.
func TestAccOAuthApp_importedAppGetsSecret(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	app := testAccCreateApp(t, api, clientCredentialsApp("tfacc imported"))
	config := fmt.Sprintf(`
import {
  to = pipeshub_oauth_app.test
  id = %q
}
`, app.ID) + appConfig(url, testAccAdminToken, `
  name                     = "tfacc imported"
  allowed_grant_types      = ["client_credentials"]
  allowed_scopes           = ["kb:read"]
  secret_rotation_triggers = { imported = "yes" }`)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{{
			PreConfig: emu.ResetCalls,
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("client_secret")),
			}},
			Check: expectWrites(emu, -1, map[string]int{emulator.RouteRegenerateSecret: 1}),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.StringExact(app.ID)),
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringFunc(func(secret string) error {
					if secret == app.ClientSecret {
						return errors.New("secret not regenerated")
					}
					return nil
				})),
				expectWorkingSecret(api, appAddr),
			},
		}},
	})
}
