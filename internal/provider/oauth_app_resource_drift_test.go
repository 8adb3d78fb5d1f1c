package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Changes made behind Terraform's back (edit, suspend, delete) are put right by the next apply.
func TestAccOAuthApp_drift(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := appConfig(url, testAccAdminToken, `
  name           = "tfacc drift"
  description    = "As configured"
  redirect_uris  = ["https://app.example.com/cb"]
  allowed_scopes = ["openid", "kb:read"]`)
	var id string
	drift := func(f func(ctx context.Context) error) func() {
		return func() {
			if err := f(context.Background()); err != nil {
				t.Fatalf("changing the app behind Terraform's back: %v", err)
			}
			emu.ResetCalls()
		}
	}
	expectAction := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(appAddr, action)}}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			// The id is captured for the API calls of the next steps'
			// PreConfig, which cannot read the state.
			{Config: config, Check: captureAttr(appAddr, "id", &id)},
			{
				PreConfig: drift(func(ctx context.Context) error {
					_, err := api.UpdateApp(ctx, id, client.UpdateAppRequest{
						Name:          ptr("edited elsewhere"),
						AllowedScopes: &[]string{"openid"},
						HomepageURL:   client.Set("https://elsewhere.example.com"),
					})
					if err == nil {
						_, err = api.SuspendApp(ctx, id)
					}
					return err
				}),
				Config:           config,
				ConfigPlanChecks: expectAction(plancheck.ResourceActionUpdate),
				Check:            expectWrites(emu, -1, map[string]int{emulator.RouteUpdateApp: 1, emulator.RouteActivateApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("name"), knownvalue.StringExact("tfacc drift")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("allowed_scopes"), knownvalue.SetSizeExact(2)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("homepage_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				},
			},
			{
				PreConfig:        drift(func(ctx context.Context) error { return api.DeleteApp(ctx, id) }),
				Config:           config,
				ConfigPlanChecks: expectAction(plancheck.ResourceActionCreate),
				Check:            expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
				},
			},
		},
	})
}
