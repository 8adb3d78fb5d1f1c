package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// 120 apps (more than PipesHub's page limit of 100) read through the example,
// with its status and search filters, and another user's app that must not show.
func TestAccOAuthAppsDataSource_filtersAndPaging(t *testing.T) {
	emu, serverURL, c := newTestEmulatorWithAdminClient(t)
	ctx := context.Background()
	serviceApp := func(name string, description *string) client.CreateAppRequest {
		return client.CreateAppRequest{Name: name, Description: description,
			AllowedGrantTypes: []string{client.GrantClientCredentials}, AllowedScopes: []string{"kb:read"}}
	}

	const total = 120
	var secrets []string
	for i := range total - 3 {
		secrets = append(secrets, testAccCreateApp(t, c, serviceApp(fmt.Sprintf("bulk-%03d", i), nil)).ClientSecret)
	}
	byName := testAccCreateApp(t, c, serviceApp("Reporting API", nil))
	byDescription := testAccCreateApp(t, c, serviceApp("exporter", ptr("Feeds the REPORTING warehouse")))
	if _, err := c.SuspendApp(ctx, byDescription.ID); err != nil {
		t.Fatal(err)
	}
	newest := testAccCreateApp(t, c, serviceApp("newest", nil))
	secrets = append(secrets, byName.ClientSecret, byDescription.ClientSecret, newest.ClientSecret)
	testAccCreateApp(t, testAccClient(t, serverURL, testAccOtherAdminToken), serviceApp("reporting, someone else's", nil))

	all := "data.pipeshub_oauth_apps.all"
	suspended := "data.pipeshub_oauth_apps.suspended"
	reporting := "data.pipeshub_oauth_apps.reporting"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: emu.ResetCalls,
			Config:    testAccProviderConfig(serverURL, testAccAdminToken) + testAccExample(t, "data-sources/pipeshub_oauth_apps/data-source.tf"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(all, tfjsonpath.New("ids"), knownvalue.ListSizeExact(total)),
				statecheck.ExpectKnownValue(all, tfjsonpath.New("apps"), knownvalue.ListSizeExact(total)),
				// Newest first, as PipesHub lists them.
				statecheck.ExpectKnownValue(all, tfjsonpath.New("apps").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"id":             knownvalue.StringExact(newest.ID),
					"client_id":      knownvalue.StringExact(newest.ClientID),
					"name":           knownvalue.StringExact("newest"),
					"description":    knownvalue.Null(),
					"allowed_scopes": knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("kb:read")}),
					"status":         knownvalue.StringExact("active"),
				})),
				statecheck.ExpectKnownValue(all, tfjsonpath.New("ids").AtSliceIndex(total-1), knownvalue.StringRegexp(hex24)),
				statecheck.CompareValuePairs(all, tfjsonpath.New("ids").AtSliceIndex(0), all, tfjsonpath.New("apps").AtSliceIndex(0).AtMapKey("id"), compare.ValuesSame()),

				statecheck.ExpectKnownValue(suspended, tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(byDescription.ID)})),
				statecheck.ExpectKnownValue(suspended, tfjsonpath.New("apps").AtSliceIndex(0).AtMapKey("status"), knownvalue.StringExact("suspended")),

				// search matches the name or the description, case-insensitively, and only the caller's apps.
				statecheck.ExpectKnownValue(reporting, tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact(byDescription.ID), knownvalue.StringExact(byName.ID),
				})),

				// The id depends on the filters only.
				statecheck.CompareValuePairs(all, tfjsonpath.New("id"), suspended, tfjsonpath.New("id"), compare.ValuesDiffer()),
				statecheck.CompareValuePairs(suspended, tfjsonpath.New("id"), reporting, tfjsonpath.New("id"), compare.ValuesDiffer()),

				expectNoSecrets(all, secrets...),
				expectNoSecrets(suspended, secrets...),
				expectNoSecrets(reporting, secrets...),
			},
			Check: expectListPagesPerRead(emu),
		}},
	})
}

// expectListPagesPerRead checks that reading the example's three data sources
// cost two list pages for the 120 apps plus one page per filtered read, and
// no request per app: the calls come in multiples of 2+1+1.
func expectListPagesPerRead(emu *emulator.Emulator) resource.TestCheckFunc {
	return func(*terraform.State) error {
		lists, gets := emu.Calls(emulator.RouteListApps), emu.Calls(emulator.RouteGetApp)
		if lists == 0 || lists%4 != 0 || gets != 0 {
			return fmt.Errorf("reads made %d list calls (want a positive multiple of 4) and %d app GETs (want 0)", lists, gets)
		}
		return nil
	}
}
