package provider

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

const scopesData = `
data "pipeshub_oauth_scopes" "all" {}
`

// expectAllScopes checks that scopesData read the admin's 39 scopes.
var expectAllScopes = statecheck.ExpectKnownValue("data.pipeshub_oauth_scopes.all", tfjsonpath.New("names"), knownvalue.ListSizeExact(39))

// Missing or malformed settings are reported on their attribute, naming the
// environment variable that would also do. Not parallel: it clears the variables.
func TestAccProvider_configErrors(t *testing.T) {
	for _, env := range []string{envServerURL, envBearerAuth, envMaxRetries, envMaxRequestsPerMinute, envInsecureHTTP} {
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
			Config:            `provider "pipeshub" {}` + scopesData,
			ConfigStateChecks: []statecheck.StateCheck{expectAllScopes},
		}},
	})
}

// A server_url known only at apply (here from terraform_data) leaves the
// provider unconfigured at plan: no error, no catalogue check, and the apply works.
func TestAccProvider_unknownAtPlan(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
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
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
			},
		}},
	})
}

// The published examples apply as they are, and plan clean afterwards.
func TestAccExamples(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	demo := strings.Replace(testAccExample(t, "demo/main.tf"), `provider "pipeshub" {}`, testAccProviderConfig(url, testAccAdminToken), 1)
	if !strings.Contains(demo, url) {
		t.Fatal("examples/demo/main.tf no longer has an empty provider block to configure")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(url, testAccAdminToken) + testAccExample(t, "resources/pipeshub_oauth_app/resource.tf"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("pipeshub_oauth_app.support_portal", tfjsonpath.New("allowed_scopes"), knownvalue.SetSizeExact(7)),
					statecheck.ExpectKnownValue("pipeshub_oauth_app.support_portal", tfjsonpath.New("access_token_lifetime"), knownvalue.Int64Exact(1800)),
					statecheck.ExpectKnownValue("pipeshub_oauth_app.kb_sync", tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
				},
			},
			{
				Config: demo,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("pipeshub_oauth_app.reporting", tfjsonpath.New("status"), knownvalue.StringExact("suspended")),
					statecheck.ExpectKnownValue("pipeshub_oauth_app.web", tfjsonpath.New("allowed_scopes"), knownvalue.SetSizeExact(6)),
					statecheck.ExpectKnownOutputValue("reporting_status", knownvalue.StringExact("suspended")),
				},
			},
		},
	})
}

// testAccRemoteHTTPEmulator serves an emulator that the provider can reach
// only over an http:// URL whose host is not a loopback host, and counts the
// requests it gets; api reaches the same emulator directly, as the admin. The host is 0.0.0.0, which the rule treats as remote but
// which Go dials as the local system (see net.Dial), so that no packet
// leaves this machine and nothing waits on DNS: enough to see whether plain
// http was refused before any call, or allowed all the way to the API.
func testAccRemoteHTTPEmulator(t *testing.T) (url string, calls *atomic.Int64, api *client.Client) {
	t.Helper()
	emu, _, api := newTestEmulatorWithAdminClient(t)
	calls = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return "http://0.0.0.0:" + port, calls, api
}

// Plain http to a host that is not this machine is refused when the provider
// is configured, on server_url (or naming PIPESHUB_SERVER_URL), before any API
// call, and without echoing the URL's userinfo. Not parallel: it sets the variables.
func TestAccProvider_insecureHTTPRefused(t *testing.T) {
	for _, env := range []string{envServerURL, envBearerAuth, envMaxRetries, envMaxRequestsPerMinute, envInsecureHTTP} {
		t.Setenv(env, "")
	}
	url, calls, api := testAccRemoteHTTPEmulator(t)
	quoted := regexp.QuoteMeta(`"` + url + `"`)
	explained := `.*` + wrapped("plain http to 0.0.0.0, which is not a loopback host") + `.*` +
		wrapped("The bearer token would travel unencrypted") + `.*` +
		wrapped("Use an https:// URL, or set insecure_http = true in the provider block (or PIPESHUB_INSECURE_HTTP=true) to allow plain http deliberately.")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				Config:      testAccProviderConfig(url, testAccAdminToken) + scopesData,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Plain http to a remote PipesHub server.*provider "pipeshub".*server_url\s+is\s+` + quoted + explained),
			},
			{
				// An apply is refused too (the provider is configured afresh for it).
				Config: appConfig(url, testAccAdminToken, `
  name                = "tfacc insecure http"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]`),
				ExpectError: regexp.MustCompile(`(?s)Plain http to a remote PipesHub server.*server_url\s+is\s+` + quoted),
			},
			{
				// The userinfo is not shown back: the URL is quoted without it.
				Config: testAccProviderConfig(strings.Replace(url, "http://", "http://admin:hunter2-secret@", 1), testAccAdminToken) +
					scopesData,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Plain http to a remote PipesHub server.*server_url\s+is\s+` + quoted),
			},
			{
				// insecure_http = false is the default, written out.
				Config: fmt.Sprintf(`provider "pipeshub" {
  server_url    = %q
  bearer_auth   = %q
  insecure_http = false
}`, url, testAccAdminToken) + scopesData,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Plain http to a remote PipesHub server.*server_url\s+is\s+` + quoted),
			},
			{
				PreConfig: func() {
					t.Setenv(envServerURL, url)
					t.Setenv(envBearerAuth, testAccAdminToken)
				},
				Config:   `provider "pipeshub" {}` + scopesData,
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Plain http to a remote PipesHub server.*` +
					wrapped("PIPESHUB_SERVER_URL (used because server_url is not set) is") + `\s+` + quoted + explained),
			},
			{
				// A value set in the provider block wins over PIPESHUB_INSECURE_HTTP.
				PreConfig: func() { t.Setenv(envInsecureHTTP, "true") },
				Config: `provider "pipeshub" {
  insecure_http = false
}` + scopesData,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Plain http to a remote PipesHub server.*PIPESHUB_SERVER_URL`),
			},
		},
	})
	if n := calls.Load(); n != 0 {
		t.Errorf("the refused configurations made %d API calls, want none", n)
	}
}

// insecure_http = true, or PIPESHUB_INSECURE_HTTP=true, lets the same plain
// http URL through to the API. Not parallel: it sets the variables.
func TestAccProvider_insecureHTTPAllowed(t *testing.T) {
	for _, env := range []string{envServerURL, envBearerAuth, envMaxRetries, envMaxRequestsPerMinute, envInsecureHTTP} {
		t.Setenv(env, "")
	}
	url, calls, _ := testAccRemoteHTTPEmulator(t)
	var before int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`provider "pipeshub" {
  server_url    = %q
  bearer_auth   = %q
  insecure_http = true
}`, url, testAccAdminToken) + scopesData,
				ConfigStateChecks: []statecheck.StateCheck{expectAllScopes},
			},
			{
				PreConfig: func() {
					t.Setenv(envServerURL, url)
					t.Setenv(envBearerAuth, testAccAdminToken)
					t.Setenv(envInsecureHTTP, "true")
					before = calls.Load()
				},
				Config: `provider "pipeshub" {}` + scopesData,
				ConfigStateChecks: []statecheck.StateCheck{
					expectAllScopes,
					stateCheckFunc(func(*tfjson.State) error {
						if calls.Load() == before {
							return fmt.Errorf("no API call reached %s", url)
						}
						return nil
					}),
				},
			},
		},
	})
}

// An unparsable PIPESHUB_INSECURE_HTTP is reported on insecure_http, naming
// the variable, and is not also reported as a refused plain-http URL. Not
// parallel: it sets the variables.
func TestAccProvider_insecureHTTPBadEnvironment(t *testing.T) {
	for _, env := range []string{envServerURL, envBearerAuth, envMaxRetries, envMaxRequestsPerMinute} {
		t.Setenv(env, "")
	}
	t.Setenv(envInsecureHTTP, "yes please")
	url, calls, _ := testAccRemoteHTTPEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:   testAccProviderConfig(url, testAccAdminToken) + scopesData,
			PlanOnly: true,
			// Anchored at the end: no second (plain http) error follows.
			ExpectError: regexp.MustCompile(`(?s)Invalid PIPESHUB_INSECURE_HTTP environment variable.*` +
				wrapped(`PIPESHUB_INSECURE_HTTP (used because insecure_http is not set) must be true or false, got "yes please".`) + `\s*\z`),
		}},
	})
	if n := calls.Load(); n != 0 {
		t.Errorf("made %d API calls, want none", n)
	}
}
