package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const scopesData = `
data "pipeshub_oauth_scopes" "all" {}
`

// Missing or malformed settings are reported on their attribute, naming the
// environment variable that would also do. Not parallel: it clears the variables.
func TestAccProvider_configErrors(t *testing.T) {
	for _, env := range []string{envServerURL, envBearerAuth, envMaxRetries, envMaxRequestsPerMinute} {
		t.Setenv(env, "")
	}
	_, url := newTestEmulator(t)
	step := func(provider, want string) resource.TestStep {
		return resource.TestStep{Config: provider + scopesData, PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`provider "pipeshub" { bearer_auth = "x" }`, `(?s)Missing PipesHub server URL.*server_url.*PIPESHUB_SERVER_URL`),
			step(`provider "pipeshub" {
  server_url  = "ftp://pipeshub.example.com"
  bearer_auth = "x"
}`, `(?s)Invalid PipesHub server URL.*server_url`),
			step(fmt.Sprintf(`provider "pipeshub" { server_url = %q }`, url), `(?s)Missing PipesHub bearer token.*PIPESHUB_BEARER_AUTH`),
			step(fmt.Sprintf(`provider "pipeshub" {
  server_url  = %q
  bearer_auth = %q
  max_retries = -1
}`, url, testAccAdminToken), `(?s)max_retries.*at least 0`),
			step(fmt.Sprintf(`provider "pipeshub" {
  server_url              = %q
  bearer_auth             = %q
  max_requests_per_minute = 0
}`, url, testAccAdminToken), `(?s)max_requests_per_minute.*at least 1`),
		},
	})
}

// Settings come from the environment when the provider block is empty; a
// server URL without /api/v1 is completed. Not parallel: it sets the variables.
func TestAccProvider_environment(t *testing.T) {
	_, url := newTestEmulator(t)
	t.Setenv(envServerURL, strings.TrimSuffix(url, "/api/v1"))
	t.Setenv(envBearerAuth, testAccAdminToken)
	t.Setenv(envMaxRetries, "2")
	t.Setenv(envMaxRequestsPerMinute, "600")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "pipeshub" {}` + scopesData,
			Check:  resource.TestCheckResourceAttr("data.pipeshub_oauth_scopes.all", "names.#", "39"),
		}},
	})
}

// A server_url known only at apply (here from terraform_data) leaves the
// provider unconfigured at plan: no error, no catalogue check, and the apply works.
func TestAccProvider_unknownAtPlan(t *testing.T) {
	_, url := newTestEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "server" {
  input = %q
}

provider "pipeshub" {
  server_url  = terraform_data.server.output
  bearer_auth = %q
}

resource "pipeshub_oauth_app" "test" {
  name                = "tfacc unknown provider config"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`, url, testAccAdminToken),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("client_secret")),
			}},
			Check: resource.TestMatchResourceAttr(appAddr, "client_secret", hex64),
		}},
	})
}

// The published examples apply as they are, and plan clean afterwards.
func TestAccExamples(t *testing.T) {
	_, url := newTestEmulator(t)
	demo := strings.Replace(testAccExample(t, "demo/main.tf"), `provider "pipeshub" {}`, testAccProviderConfig(url, testAccAdminToken), 1)
	if !strings.Contains(demo, url) {
		t.Fatal("examples/demo/main.tf no longer has an empty provider block to configure")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(url, testAccAdminToken) + testAccExample(t, "resources/pipeshub_oauth_app/resource.tf"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("pipeshub_oauth_app.support_portal", "allowed_scopes.#", "7"),
					resource.TestCheckResourceAttr("pipeshub_oauth_app.support_portal", "access_token_lifetime", "1800"),
					resource.TestMatchResourceAttr("pipeshub_oauth_app.kb_sync", "client_secret", hex64),
				),
			},
			{
				Config: demo,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("pipeshub_oauth_app.reporting", "status", "suspended"),
					resource.TestCheckResourceAttr("pipeshub_oauth_app.web", "allowed_scopes.#", "6"),
					resource.TestCheckOutput("reporting_status", "suspended"),
				),
			},
		},
	})
}
