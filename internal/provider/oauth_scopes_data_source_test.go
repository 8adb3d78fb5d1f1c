package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccOAuthScopesDataSource(t *testing.T) {
	_, url := newTestEmulator(t)
	const all, kb = "data.pipeshub_oauth_scopes.all", "data.pipeshub_oauth_scopes.knowledge_base"
	// The example also creates an app from the filtered names.
	example := testAccExample(t, "data-sources/pipeshub_oauth_scopes/data-source.tf")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
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
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(all, "id", "scopes"),
					resource.TestCheckResourceAttr(all, "names.#", "39"),
					resource.TestCheckResourceAttr(all, "scopes.#", "39"),
					resource.TestCheckResourceAttr(all, "scopes.0.name", "openid"),
					resource.TestCheckResourceAttr(all, "scopes.0.category", "Identity"),
					resource.TestCheckResourceAttr(all, "scopes.0.description", "OpenID Connect authentication"),
					resource.TestCheckResourceAttr(all, "scopes.0.requires_user_consent", "false"),
					resource.TestCheckResourceAttr(all, "names.38", "crawl:delete"),
					resource.TestCheckResourceAttr(kb, "id", "scopes/Knowledge Base"),
					resource.TestCheckResourceAttr(kb, "names.#", "4"),
					resource.TestCheckResourceAttr(kb, "names.0", "kb:read"),
					resource.TestCheckResourceAttr(kb, "scopes.3.name", "kb:upload"),
					resource.TestCheckResourceAttr("pipeshub_oauth_app.kb_reader", "allowed_scopes.#", "4"),
				),
			},
			{ // a member does not see the 9 admin-only scopes
				Config: testAccProviderConfig(url, testAccMemberToken) + `
data "pipeshub_oauth_scopes" "all" {}
data "pipeshub_oauth_scopes" "organization" {
  category = "Organization"
}`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(all, "names.#", "30"),
					resource.TestCheckResourceAttr("data.pipeshub_oauth_scopes.organization", "names.#", "1"),
					resource.TestCheckResourceAttr("data.pipeshub_oauth_scopes.organization", "names.0", "org:read"),
				),
			},
		},
	})
}
