package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestAccOAuthApp_secretLostAtCreate: a create whose answer is lost is
// adopted, but regenerating its secret keeps failing. The apply succeeds with
// the app in state and a null secret; the next plan shows the secret as known
// after apply (never an empty plan over a secret nobody chose to drop), and
// the next apply regenerates it.
func TestAccOAuthApp_secretLostAtCreate(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := oneRetryAppConfig(url, "tfacc lost secret", "")
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

// A suspend left pending at create that has happened by the next refresh
// (outside Terraform, or through a late answer) leaves nothing to do: the
// next plan is empty, with no "will be suspended" warning, and the next
// apply sends no suspend.
func TestAccOAuthApp_suspendPendingDoneElsewhere(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := oneRetryAppConfig(url, "tfacc suspend pending", `status = "suspended"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					emu.InjectFault(emulator.Fault{Route: emulator.RouteSuspendApp, Status: 503, Count: 5})
				},
				Config:             config,
				ExpectNonEmptyPlan: true, // the suspend is pending
			},
			{
				PreConfig: func() {
					emu.ClearFaults()
					ctx := context.Background()
					apps, err := api.ListAllApps(ctx, "", "tfacc suspend pending")
					if err != nil || len(apps) != 1 {
						t.Fatalf("the app in PipesHub: %d apps, %v", len(apps), err)
					}
					if _, err := api.SuspendApp(ctx, apps[0].ID); err != nil {
						t.Fatal(err)
					}
					emu.ResetCalls()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectWrites(emu, -1, map[string]int{}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact(client.StatusSuspended)),
				},
			},
		},
	})
}

// oneRetryAppConfig is a client_credentials app named name, plus extra
// attributes, with one retry, so that a fault of Count 5 outlasts it.
func oneRetryAppConfig(url, name, extra string) string {
	return oneRetryProviderConfig(url) + fmt.Sprintf(`
resource "pipeshub_oauth_app" "test" {
  name                = %q
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
  %s
}
`, name, extra)
}

// oneRetryProviderConfig is the provider for the emulator's admin with
// max_retries = 1, so that a fault of a few answers outlasts its retries
// without real backoffs.
func oneRetryProviderConfig(url string) string {
	return fmt.Sprintf(`
provider "pipeshub" {
  server_url  = %q
  bearer_auth = %q
  max_retries = 1
}
`, url, testAccAdminToken)
}
