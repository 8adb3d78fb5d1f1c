package provider

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccProvider_unreachableServer: a server that refuses connections fails
// the plan within seconds, and the error names the URL and the setting to fix.
func TestAccProvider_unreachableServer(t *testing.T) {
	serverURL := refusingServerURL(t)
	started := time.Now()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(serverURL, testAccAdminToken) + `data "pipeshub_oauth_apps" "all" {}`,
			ExpectError: regexp.MustCompile(`(?s)Cannot list OAuth apps.*connection refused.*No PipesHub server answered\s+at\s+` +
				regexp.QuoteMeta(serverURL) + `.*server_url\s+\(or\s+PIPESHUB_SERVER_URL\)\s+is\s+right`),
		}},
	})
	// Two quick retries, not minutes of backoff.
	if took := time.Since(started); took > 30*time.Second {
		t.Errorf("the plan took %s to report an unreachable server", took)
	}
}
