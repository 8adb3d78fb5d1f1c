package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccOAuthScopesDataSource(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	const all, kb = "data.pipeshub_oauth_scopes.all", "data.pipeshub_oauth_scopes.knowledge_base"
	// The example also creates an app from the filtered names.
	example := testAccExample(t, "data-sources/pipeshub_oauth_scopes/data-source.tf")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(url, testAccAdminToken) + `
data "pipeshub_oauth_scopes" "bad" {
  category = "Knowledgebase"
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unknown scope category.*category = "Knowledgebase".*Did\s+you\s+mean\s+"Knowledge\s+Base"\?`),
			},
			{
				Config: testAccProviderConfig(url, testAccAdminToken) + example,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("id"), knownvalue.StringExact("scopes")),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("names"), knownvalue.ListSizeExact(39)),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("scopes"), knownvalue.ListSizeExact(39)),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("scopes").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"name":                  knownvalue.StringExact("openid"),
						"category":              knownvalue.StringExact("Identity"),
						"description":           knownvalue.StringExact("OpenID Connect authentication"),
						"requires_user_consent": knownvalue.Bool(false),
					})),
					statecheck.ExpectKnownValue(all, tfjsonpath.New("names").AtSliceIndex(38), knownvalue.StringExact("crawl:delete")),
					statecheck.ExpectKnownValue(kb, tfjsonpath.New("id"), knownvalue.StringExact("scopes/Knowledge Base")),
					statecheck.ExpectKnownValue(kb, tfjsonpath.New("names"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue(kb, tfjsonpath.New("names").AtSliceIndex(0), knownvalue.StringExact("kb:read")),
					statecheck.ExpectKnownValue(kb, tfjsonpath.New("scopes").AtSliceIndex(3).AtMapKey("name"), knownvalue.StringExact("kb:upload")),
					statecheck.ExpectKnownValue("pipeshub_oauth_app.kb_reader", tfjsonpath.New("allowed_scopes"), knownvalue.SetSizeExact(4)),
				},
			},
			{
				// The admin's app leaves with the admin's token: a member's
				// token cannot see it, so a refresh with it would stop.
				Config: testAccProviderConfig(url, testAccAdminToken),
			},
			{ // a member does not see the 9 admin-only scopes
				Config: testAccProviderConfig(url, testAccMemberToken) + `
data "pipeshub_oauth_scopes" "all" {}
data "pipeshub_oauth_scopes" "organization" {
  category = "Organization"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("names"), knownvalue.ListSizeExact(30)),
					statecheck.ExpectKnownValue("data.pipeshub_oauth_scopes.organization", tfjsonpath.New("names"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("org:read")})),
				},
			},
		},
	})
}
