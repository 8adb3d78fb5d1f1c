package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

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
		Steps: []resource.TestStep{
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
				Check: resource.ComposeAggregateTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteUpdateApp: 1, emulator.RouteActivateApp: 1}),
					resource.TestCheckResourceAttr(appAddr, "name", "tfacc drift"),
					resource.TestCheckResourceAttr(appAddr, "allowed_scopes.#", "2"),
					resource.TestCheckNoResourceAttr(appAddr, "homepage_url"),
					resource.TestCheckResourceAttr(appAddr, "status", "active"),
				),
			},
			{
				PreConfig:        drift(func(ctx context.Context) error { return api.DeleteApp(ctx, id) }),
				Config:           config,
				ConfigPlanChecks: expectAction(plancheck.ResourceActionCreate),
				Check: resource.ComposeAggregateTestCheckFunc(
					expectWrites(emu, -1, map[string]int{emulator.RouteCreateApp: 1}),
					resource.TestCheckResourceAttrSet(appAddr, "client_secret"),
				),
			},
		},
	})
}
