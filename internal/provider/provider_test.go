package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Bearer tokens the test emulator knows: two admins and a member of one organisation.
const (
	testAccAdminToken      = "tfacc-admin-token"
	testAccOtherAdminToken = "tfacc-other-admin-token"
	testAccMemberToken     = "tfacc-member-token"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the terraform binary.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"pipeshub": providerserver.NewProtocol6WithError(New("test")()),
}

// TestMain points plugin-testing at the local terraform when TF_ACC_TERRAFORM_PATH
// is unset, so that acceptance tests never download one.
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") != "" && os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if path, err := exec.LookPath("terraform"); err == nil {
			_ = os.Setenv("TF_ACC_TERRAFORM_PATH", path)
		}
	}
	os.Exit(m.Run())
}

// newTestEmulator starts an in-process PipesHub emulator and returns it with its server_url.
func newTestEmulator(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	org := emulator.StableID("tfacc-org")
	emu, err := emulator.New(emulator.Config{Tokens: map[string]emulator.User{
		testAccAdminToken:      {ID: emulator.StableID("tfacc-admin"), OrgID: org, Role: "admin"},
		testAccOtherAdminToken: {ID: emulator.StableID("tfacc-other-admin"), OrgID: org, Role: "admin"},
		testAccMemberToken:     {ID: emulator.StableID("tfacc-member"), OrgID: org, Role: "member"},
	}})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	return emu, srv.URL + "/api/v1"
}

// testAccProviderConfig is a provider block for the emulator at serverURL.
func testAccProviderConfig(serverURL, token string) string {
	return fmt.Sprintf(`
provider "pipeshub" {
  server_url  = %q
  bearer_auth = %q
}
`, serverURL, token)
}

// writeRoutes are the emulator routes that change something.
var writeRoutes = []string{
	emulator.RouteCreateApp, emulator.RouteUpdateApp, emulator.RouteDeleteApp, emulator.RouteRegenerateSecret,
	emulator.RouteSuspendApp, emulator.RouteActivateApp, emulator.RouteRevokeAllTokens,
}

// expectWrites checks that, since the last ResetCalls, the emulator saw
// exactly the given write calls (routes not listed: none) and, when
// wantGets >= 0, exactly that many GETs of one app.
func expectWrites(emu *emulator.Emulator, wantGets int, want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var problems []string
		for _, route := range writeRoutes {
			if got := emu.Calls(route); got != want[route] {
				problems = append(problems, fmt.Sprintf("%s: %d calls, want %d", route, got, want[route]))
			}
		}
		if got := emu.Calls(emulator.RouteGetApp); wantGets >= 0 && got != wantGets {
			problems = append(problems, fmt.Sprintf("%s: %d calls, want %d", emulator.RouteGetApp, got, wantGets))
		}
		if len(problems) > 0 {
			return fmt.Errorf("unexpected API calls (all: %v):\n%s", emu.CallCounts(), strings.Join(problems, "\n"))
		}
		return nil
	}
}

// captureAttr copies an attribute of a resource in state into dst.
func captureAttr(addr, attr string, dst *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		*dst = rs.Primary.Attributes[attr]
		if *dst == "" {
			return fmt.Errorf("%s.%s is empty", addr, attr)
		}
		return nil
	}
}
