package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// TestAccGitOpsRehearsal runs the pipeline of examples/gitops/ against the
// emulator with the real terraform binary, command for command: a plan saved
// on the pull request and the apply of that plan on merge, the scheduled
// drift check (plan -detailed-exitcode) before and after changes made
// outside Terraform (settings, status, secret, deletion), a run with another
// user's token and back, an import, and a rotation with the warnings a
// reviewer reads. See the guide "Running in a GitOps pipeline".
func TestAccGitOpsRehearsal(t *testing.T) {
	h := newInterruptHarness(t)
	emu, serverURL := newTestEmulator(t)
	alice := testAccClient(t, serverURL, testAccAliceToken)
	ctx := context.Background()
	existing := testAccCreateApp(t, alice, clientCredentialsApp("gitops existing"))

	// rotation and revocation are the values of the "secret" app's triggers
	// ("" for none); status is the "status" app's; public makes the
	// "settings" app a public client.
	config := func(token, rotation, revocation, status string, public bool) {
		trigger := func(key, value string) string {
			if value == "" {
				return "null"
			}
			return fmt.Sprintf(`each.key == "secret" ? { %s = %q } : null`, key, value)
		}
		h.writeConfig(serverURL, token, fmt.Sprintf(`
locals {
  apps = {
    settings = "active"
    status   = %q
    secret   = "active"
    deleted  = "active"
  }
}

resource "pipeshub_oauth_app" "app" {
  for_each                  = local.apps
  name                      = "gitops ${each.key}"
  description               = "Managed by the pipeline"
  allowed_grant_types       = ["client_credentials"]
  allowed_scopes            = ["kb:read"]
  status                    = each.value
  is_confidential           = each.key == "settings" ? %t : true
  secret_rotation_triggers  = %s
  token_revocation_triggers = %s
}

import {
  to = pipeshub_oauth_app.existing
  id = %q
}

resource "pipeshub_oauth_app" "existing" {
  name                = "gitops existing"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`, status, !public, trigger("rotated", rotation), trigger("revoked", revocation), existing.ID))
	}
	// driftCheck is the scheduled job's command: exit 0 clean, 2 changes, 1 error.
	driftCheck := func(wantCode int, args ...string) string {
		t.Helper()
		out, code := h.run(append([]string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}, args...)...)
		if code != wantCode {
			h.fatalf(out, "plan -detailed-exitcode exited %d, want %d", code, wantCode)
		}
		return out
	}
	noWarnings := func(out string) {
		t.Helper()
		if strings.Contains(out, "Warning:") {
			h.fatalf(out, "a plan of healthy apps warns")
		}
	}
	// planned returns the action of each resource in the saved plan.
	planned := func() map[string]string {
		t.Helper()
		out, code := h.run("show", "-json", "-no-color", "tfplan")
		if code != 0 {
			h.fatalf(out, "terraform show tfplan exited %d", code)
		}
		var plan tfjson.Plan
		if err := plan.UnmarshalJSON([]byte(out)); err != nil {
			t.Fatalf("decoding the saved plan: %v", err)
		}
		actions := map[string]string{}
		for _, rc := range plan.ResourceChanges {
			actions[rc.Address] = fmt.Sprint(rc.Change.Actions)
			if rc.Change.Importing != nil {
				actions[rc.Address] += " import"
			}
		}
		return actions
	}
	expectPlanned := func(want map[string]string) {
		t.Helper()
		got := planned()
		for addr, action := range want {
			if got[addr] != action {
				t.Errorf("%s: planned %q, want %q (whole plan: %v)", addr, got[addr], action, got)
			}
		}
	}
	addr := func(key string) string { return fmt.Sprintf(`pipeshub_oauth_app.app["%s"]`, key) }

	// The pull request: terraform init, then plan -out, which a reviewer reads.
	config(testAccAliceToken, "1", "1", "active", false)
	h.mustRun("init", "-input=false", "-no-color")
	out := driftCheck(2, "-out=tfplan")
	expectOnce(t, out, "Warning: Imported OAuth app has no client secret in Terraform", "Plan: 1 to import, 4 to add, 0 to change, 0 to destroy.")
	// The merge: apply exactly the reviewed plan.
	h.mustRun("apply", "-input=false", "-no-color", "tfplan")
	state := h.appsInState()
	// The nightly drift check of a healthy state: exit 0 and not one warning,
	// the imported app included.
	noWarnings(driftCheck(0))

	// Changes made outside Terraform, one of each kind, by the owner.
	id := func(key string) string { return state[addr(key)].id }
	if _, err := alice.UpdateApp(ctx, id("settings"), client.UpdateAppRequest{Name: ptr("renamed in the UI")}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SuspendApp(ctx, id("status")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.RegenerateSecret(ctx, id("secret")); err != nil {
		t.Fatal(err)
	}
	if err := alice.DeleteApp(ctx, id("deleted")); err != nil {
		t.Fatal(err)
	}
	emu.ResetCalls()
	out = driftCheck(2, "-out=tfplan")
	expectOnce(t, out,
		"Warning: OAuth app deleted outside Terraform", `404 for OAuth app "gitops deleted"`,
		"Warning: Client secret was regenerated outside Terraform", `holds for OAuth app "gitops secret"`,
		`~ name = "renamed in the UI" -> "gitops settings"`, `~ status = "suspended" -> "active"`)
	expectPlanned(map[string]string{
		addr("settings"): "[update]", addr("status"): "[update]", addr("secret"): "[update]", addr("deleted"): "[create]",
		"pipeshub_oauth_app.existing": "[no-op]",
	})
	// The first read by GET, the others from page 1 of alice's apps but the
	// deleted one, read by GET for its 404 (unless it was the first read);
	// one token-endpoint check for each app whose updated_at moved while it
	// was active (the renamed one and the one whose secret changed), nothing
	// else. (The deleted app's create checks its scopes against the catalogue.)
	if calls := emu.CallCounts(); calls[emulator.RouteListApps] != 1 || calls[emulator.RouteGetApp] < 1 || calls[emulator.RouteGetApp] > 2 ||
		calls[emulator.RouteToken] != 2 || calls[emulator.RouteListScopes] != 1 || len(calls) != 4 {
		t.Errorf("the drift check: PipesHub received %v, want 1 page, 1 or 2 GETs, 2 token checks and 1 catalogue fetch", calls)
	}
	h.mustRun("apply", "-input=false", "-no-color", "tfplan")
	// The secret Terraform now holds works: nothing was dropped.
	if err := secretWorks(ctx, alice, h.appsInState()[addr("secret")]); err != nil {
		t.Fatalf("the regenerated secret in state: %v", err)
	}
	noWarnings(driftCheck(0))

	// A credential swap: bob's token sees none of alice's apps. The run
	// stops with one error naming both users and plans nothing.
	config(testAccBobToken, "1", "1", "active", false)
	emu.ResetCalls()
	out = driftCheck(1)
	expectErrors(t, out, 1)
	expectOnce(t, out, "Error: Cannot read OAuth app: another PipesHub user's credential",
		"created by PipesHub user "+testAccAlice.ID, "now acts as PipesHub user "+testAccBob.ID)
	if strings.Contains(out, "will be created") || emu.Calls(emulator.RouteCreateApp) != 0 {
		h.fatalf(out, "the swapped credential planned or made a create")
	}
	// Nor may a destroy without refresh drop alice's apps from state.
	out, code := h.run("destroy", "-refresh=false", "-auto-approve", "-input=false", "-no-color")
	if code == 0 || !strings.Contains(out, "Error: Cannot delete OAuth app: not visible to this credential") {
		h.fatalf(out, "destroy -refresh=false with bob's token exited %d", code)
	}
	if n := len(h.appsInState()); n != 5 {
		t.Fatalf("after bob's destroy the state holds %d apps, want all 5", n)
	}
	// Back to alice's token, renewed meanwhile: nothing to do.
	config(testAccAliceRenewed, "1", "1", "active", false)
	noWarnings(driftCheck(0))

	// A rotation, a revocation and a suspension in one pull request: the
	// plan warns about each, naming the app.
	config(testAccAliceRenewed, "2", "2", "suspended", false)
	before := h.appsInState()
	out = driftCheck(2, "-out=tfplan")
	expectOnce(t, out, "Warning: Client secret will be regenerated", "Warning: Tokens of the OAuth app will be revoked",
		"Warning: OAuth app will be suspended", `This apply suspends OAuth app "gitops status"`)
	if n := strings.Count(flat(out), `OAuth app "gitops secret"`); n != 2 {
		h.fatalf(out, "the warnings name the rotated app %d times, want 2 (rotation, revocation)", n)
	}
	h.mustRun("apply", "-input=false", "-no-color", "tfplan")
	after := h.appsInState()
	if after[addr("secret")].secret == before[addr("secret")].secret {
		t.Error("the rotation left the secret as it was")
	}
	// Terraform's own rotation is no change made outside: the next drift
	// check is clean, and asks the token endpoint nothing.
	emu.ResetCalls()
	noWarnings(driftCheck(0))
	expectCalls(t, "the drift check after a rotation", emu, map[string]int{emulator.RouteGetApp: 1, emulator.RouteListApps: 1})

	// Removing the rotation trigger is a rotation too, and says so; a
	// replacement says what its consumers lose.
	config(testAccAliceRenewed, "", "2", "suspended", true)
	out = driftCheck(2)
	expectOnce(t, out, "Warning: Client secret will be regenerated", `secret_rotation_triggers of OAuth app "gitops secret"`,
		"is removed", "Warning: OAuth app will be replaced", `deletes OAuth app "gitops settings"`)

	h.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
	if apps, err := alice.ListAllApps(ctx, "", ""); err != nil || len(apps) != 0 {
		t.Fatalf("after destroy PipesHub holds %d apps (%v)", len(apps), err)
	}
}
