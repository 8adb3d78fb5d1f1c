package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccProvider_unreachableServer: a server that refuses connections fails
// the plan, and the error names the URL and the setting to fix. How often the
// provider retries first is counted by TestAccSettingsErrors_refusedConnection.
func TestAccProvider_unreachableServer(t *testing.T) {
	serverURL := refusingServerURL(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(serverURL, testAccAdminToken) + `data "pipeshub_oauth_apps" "all" {}`,
			ExpectError: regexp.MustCompile(`(?s)Cannot list OAuth apps.*connection refused.*No PipesHub server answered\s+at\s+` +
				regexp.QuoteMeta(serverURL) + `.*server_url\s+\(or\s+PIPESHUB_SERVER_URL\)\s+is\s+right`),
		}},
	})
}
