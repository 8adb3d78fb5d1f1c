package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestAccOAuthApp_secretLostAtCreate: a create whose answer is lost is
// adopted, but regenerating its secret keeps failing. The apply succeeds with
// the app in state and a null secret; the next plan shows the secret as known
// after apply (never an empty plan over a secret nobody chose to drop), and
// the next apply regenerates it.
func TestAccOAuthApp_secretLostAtCreate(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := fmt.Sprintf(`
provider "pipeshub" {
  server_url  = %q
  bearer_auth = %q
  max_retries = 1
}

resource "pipeshub_oauth_app" "test" {
  name                = "tfacc lost secret"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`, url, testAccAdminToken)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
					emu.InjectFault(emulator.Fault{Route: emulator.RouteRegenerateSecret, Status: 503, Count: 5})
				},
				Config:             config,
				ExpectNonEmptyPlan: true, // the secret is still to be had
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(hex24)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
					expectOneServerApp(api),
				},
			},
			{
				PreConfig: func() {
					emu.ClearFaults()
					emu.ResetCalls()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("client_secret")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
					expectOneServerApp(api),
					expectWorkingSecret(api, appAddr),
				},
				Check: expectWrites(emu, -1, map[string]int{emulator.RouteRegenerateSecret: 1}),
			},
			{
				Config:   config,
				PlanOnly: true, // settled: an empty plan
			},
		},
	})
}
