package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// With TF_LOG=TRACE, neither the bearer token nor any client secret reaches
// the logs (terraform's and the provider's, both written to TF_ACC_LOG_PATH),
// while the secrets are in state and the plan marks client_secret sensitive.
// Not parallel: it sets process-wide logging variables.
func TestAccOAuthApp_secretsStayOutOfLogs(t *testing.T) {
	readLog := testAccTraceLog(t)
	_, url, api := newTestEmulatorWithAdminClient(t)
	config := func(rotation string) string {
		return fmt.Sprintf("provider \"pipeshub\" {\n  server_url = %q\n}\n", url) + `
resource "pipeshub_oauth_app" "test" {
  name                     = "tfacc secrets"
  allowed_grant_types      = ["client_credentials"]
  allowed_scopes           = ["kb:read"]
  secret_rotation_triggers = { v = "` + rotation + `" }
}`
	}
	// Captured for the log, which is complete only after the test case.
	var first, second string
	sensitive := plancheck.ExpectSensitiveValue(appAddr, tfjsonpath.New("client_secret"))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				Config:           config("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{sensitive}},
				Check:            captureAttr(appAddr, "client_secret", &first),
			},
			{
				Config:           config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{sensitive}},
				Check:            captureAttr(appAddr, "client_secret", &second),
			},
		},
	})

	log := readLog()
	// The log must really hold the provider's request log, or the test proves nothing.
	for _, want := range []string{"tf_provider_addr", "/oauth-clients", "regenerate-secret"} {
		if !strings.Contains(log, want) {
			t.Fatalf("trace log (%d bytes) lacks %q: provider logs were not captured", len(log), want)
		}
	}
	for name, secret := range map[string]string{"bearer token": testAccAdminToken, "first client secret": first, "rotated client secret": second} {
		if secret == "" {
			t.Fatalf("%s not captured", name)
		}
		if n := strings.Count(log, secret); n > 0 {
			t.Errorf("the %s appears %d times in the trace log", name, n)
		}
	}
}
