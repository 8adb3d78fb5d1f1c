package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The errors of a new user's first hour: each names the setting or command
// that fixes it, and is said once per run, however many resources hit it.
// terraform-plugin-testing cannot count diagnostics nor pass -refresh=false,
// so these tests run the terraform binary with the interrupt tests' harness.

// settingsErrorsConfig writes main.tf and runs terraform init.
func settingsErrorsConfig(t *testing.T, h *interruptHarness, serverURL, token, resources string) {
	t.Helper()
	h.writeConfig(serverURL, token, resources)
	h.mustRun("init", "-input=false", "-no-color")
}

// threeApps are three new apps, each of which needs the scope catalogue at plan time.
const threeApps = `
resource "pipeshub_oauth_app" "app" {
  count               = 3
  name                = "first hour ${count.index}"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`

// flat is terraform's output with every run of white space made one space,
// so that matches do not depend on where terraform wrapped a line.
func flat(out string) string { return strings.Join(strings.Fields(out), " ") }

// expectOnce fails unless the flattened output holds each string exactly once.
func expectOnce(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if n := strings.Count(flat(out), want); n != 1 {
			t.Errorf("%q appears %d times in the output; want once. Output:\n%s", want, n, out)
		}
	}
}

// planFails runs terraform plan, which must fail, and returns its output.
func planFails(t *testing.T, h *interruptHarness, what string) string {
	t.Helper()
	out, code := h.run("plan", "-input=false", "-no-color")
	if code == 0 {
		t.Fatalf("plan %s succeeded:\n%s", what, out)
	}
	return out
}

// expectErrors fails unless the output holds exactly n errors.
func expectErrors(t *testing.T, out string, n int) {
	t.Helper()
	if got := strings.Count(out, "Error: "); got != n {
		t.Errorf("the output holds %d errors; want %d. Output:\n%s", got, n, out)
	}
}

func TestAccSettingsErrors_wrongToken(t *testing.T) {
	h := newInterruptHarness(t)
	_, serverURL := newTestEmulator(t)
	settingsErrorsConfig(t, h, serverURL, "not-a-pipeshub-token", threeApps)

	out := planFails(t, h, "with a wrong token")
	expectErrors(t, out, 1)
	expectOnce(t, out,
		"Error: PipesHub refused the provider's bearer_auth",
		"HTTP 401 HTTP_UNAUTHORIZED: Invalid token",
		"Check bearer_auth (or PIPESHUB_BEARER_AUTH)",
		"a personal access token (phpat_...), an OAuth access token or a session JWT")
	// Not on allowed_scopes, which is not at fault.
	if strings.Contains(out, "allowed_scopes =") {
		t.Errorf("the error points at allowed_scopes:\n%s", out)
	}
}

// With a data source too, the explanation is still given once, and every
// error names the setting.
func TestAccSettingsErrors_wrongTokenWithDataSource(t *testing.T) {
	h := newInterruptHarness(t)
	_, serverURL := newTestEmulator(t)
	settingsErrorsConfig(t, h, serverURL, "not-a-pipeshub-token", threeApps+`
data "pipeshub_oauth_apps" "all" {}
`)
	out := planFails(t, h, "with a wrong token")
	expectOnce(t, out, "a personal access token (phpat_...), an OAuth access token or a session JWT")
	// The data source's error, and at most one resource's, if it asked first.
	errors := strings.Count(out, "Error: ")
	if errors < 1 || errors > 2 || strings.Count(flat(out), "bearer_auth (or PIPESHUB_BEARER_AUTH)") != errors {
		t.Errorf("%d errors, each of which must name bearer_auth (or PIPESHUB_BEARER_AUTH); want 1 or 2:\n%s", errors, out)
	}
}

func TestAccSettingsErrors_refusedConnection(t *testing.T) {
	readLog := testAccTraceLog(t) // the provider runs in this process and logs each retry
	h := newInterruptHarness(t)
	serverURL := refusingServerURL(t)
	settingsErrorsConfig(t, h, serverURL, testAccAdminToken, threeApps)

	out := planFails(t, h, "against a closed port")
	expectErrors(t, out, 1)
	expectOnce(t, out,
		"Error: No PipesHub server answered at server_url",
		"connection refused",
		"No PipesHub server answered at "+serverURL,
		"server_url (or PIPESHUB_SERVER_URL) is right")
	// One fetch with the client's two quick retries of a refused connection
	// (maxDialRetries), not minutes of backoff nor a fetch per resource.
	if n := strings.Count(readLog(), "retrying PipesHub API request"); n != 2 {
		t.Errorf("%d retries logged, want 2: one fetch for three resources, retried twice", n)
	}
}

// An app deleted outside Terraform, then `terraform apply -refresh=false`:
// the update's 404 says the app is gone and how to recover, and the advice
// works.
func TestAccSettingsErrors_refreshFalseAfterDelete(t *testing.T) {
	h := newInterruptHarness(t)
	_, serverURL, api := newTestEmulatorWithAdminClient(t)
	app := func(description string) string {
		return fmt.Sprintf(`
resource "pipeshub_oauth_app" "app" {
  name                = "deleted behind terraform's back"
  description         = %q
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`, description)
	}
	settingsErrorsConfig(t, h, serverURL, testAccAdminToken, app("before"))
	h.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	id := h.appsInState()["pipeshub_oauth_app.app"].id
	if err := api.DeleteApp(context.Background(), id); err != nil {
		t.Fatal(err)
	}

	settingsErrorsConfig(t, h, serverURL, testAccAdminToken, app("after"))
	out, code := h.run("apply", "-refresh=false", "-auto-approve", "-input=false", "-no-color")
	if code == 0 {
		t.Fatalf("apply -refresh=false of a deleted app succeeded:\n%s", out)
	}
	expectErrors(t, out, 1)
	expectOnce(t, out,
		"Error: OAuth app no longer exists in PipesHub",
		"HTTP 404 HTTP_NOT_FOUND: OAuth app not found",
		"OAuth app "+id+" is in Terraform's state",
		"without -refresh=false")

	// The advice: a plain apply removes the app from state and creates it again.
	out = h.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	expectOnce(t, out, "OAuth app deleted outside Terraform", "Apply complete! Resources: 1 added")
	if got := h.appsInState()["pipeshub_oauth_app.app"].id; got == id || got == "" {
		t.Errorf("after the plain apply the app's id is %q; want a new app", got)
	}
}

// A misspelt scope and an admin-only scope get different errors, each once.
func TestAccSettingsErrors_typoVersusAdminOnlyScope(t *testing.T) {
	h := newInterruptHarness(t)
	_, serverURL := newTestEmulator(t)
	apps := `
resource "pipeshub_oauth_app" "typo" {
  name                = "misspelt scope"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["openid", "kb:raed"]
}

resource "pipeshub_oauth_app" "admin_only" {
  name                = "admin-only scope"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["openid", "org:admin"]
}
`
	// A member: kb:raed is a typo, org:admin needs an admin.
	settingsErrorsConfig(t, h, serverURL, testAccMemberToken, apps)
	out := planFails(t, h, "with a misspelt and an admin-only scope")
	expectErrors(t, out, 2)
	expectOnce(t, out,
		`Error: Unknown scope`,
		`"kb:raed" is not a PipesHub scope`,
		`Did you mean "kb:read"?`,
		`Error: Scope needs a PipesHub admin`,
		`"org:admin" is an admin-only PipesHub scope`,
		`bearer_auth belongs to a user who is not an admin`)
	// The typo's error says nothing of admins.
	typo := regexp.MustCompile(`(?s)Error: Unknown scope.*?(Error:|$)`).FindString(out)
	if strings.Contains(typo, "admin") {
		t.Errorf("the misspelt scope's error talks of admins:\n%s", typo)
	}

	// An admin: org:admin is fine, kb:raed still a typo.
	settingsErrorsConfig(t, h, serverURL, testAccAdminToken, apps)
	out = planFails(t, h, "with a misspelt scope")
	expectErrors(t, out, 1)
	expectOnce(t, out, `Error: Unknown scope`, `Did you mean "kb:read"?`)
	if strings.Contains(out, "with pipeshub_oauth_app.admin_only") {
		t.Errorf("an admin's plan reports the admin-only scope:\n%s", out)
	}
}

// A server_url without a scheme is echoed, without its password, and the
// accepted forms are said once.
func TestAccSettingsErrors_serverURLWithoutScheme(t *testing.T) {
	h := newInterruptHarness(t)
	settingsErrorsConfig(t, h, "admin:hunter2@pipeshub.example.com", testAccAdminToken, threeApps)
	out := planFails(t, h, "with a scheme-less server_url")
	expectErrors(t, out, 1)
	expectOnce(t, out, `server URL "pipeshub.example.com" has no scheme: write it as "https://pipeshub.example.com"`,
		"must look like")
	// Terraform quotes the configuration line; the provider's text never has the password.
	if _, detail, _ := strings.Cut(out, "(or PIPESHUB_SERVER_URL)"); strings.Contains(detail, "hunter2") {
		t.Errorf("the error echoes the URL's password:\n%s", out)
	}
}
