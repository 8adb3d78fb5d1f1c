package provider

// The paged refresh (issue 20): a plan that reads many apps serves them
// from pages of the caller's apps (client.PagedReads), a plan that reads a
// handful sends one GET per app, and nothing the listing leaves out is taken
// for deleted.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// pagedAppsConfig is n machine-to-machine apps, pipeshub_oauth_app.test[*],
// of the emulator's admin, with max_retries = 1.
func pagedAppsConfig(serverURL string, n int) string {
	return oneRetryProviderConfig(serverURL) + countedAppsHCL("test", n)
}

// countedAppsHCL is n machine-to-machine apps, pipeshub_oauth_app.<name>[*].
func countedAppsHCL(name string, n int) string {
	return fmt.Sprintf(`
resource "pipeshub_oauth_app" %q {
  count               = %d
  name                = "paged ${count.index}"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`, name, n)
}

// planCalls checks, once the plan is made, the calls the emulator saw since
// the last ResetCalls: that plan's refresh.
type planCalls func() error

func (f planCalls) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// expectRefreshCalls checks the refresh of n apps: exactly gets GETs and
// pages listing calls when gets >= 0, else at most maxCalls calls in all,
// with pages listing calls; always no more calls than apps, and no write.
func expectRefreshCalls(emu *emulator.Emulator, n, gets, pages, maxCalls int) planCalls {
	return func() error {
		calls := emu.CallCounts()
		got, listed := calls[emulator.RouteGetApp], calls[emulator.RouteListApps]
		var problems []string
		if err := writesWere("the refresh", calls, nil); err != nil {
			problems = append(problems, err.Error())
		}
		if gets >= 0 && got != gets {
			problems = append(problems, fmt.Sprintf("%d GETs, want %d", got, gets))
		}
		if listed != pages {
			problems = append(problems, fmt.Sprintf("%d listing calls, want %d", listed, pages))
		}
		if got+listed > min(n, maxCalls) {
			problems = append(problems, fmt.Sprintf("%d calls in all, want at most %d", got+listed, min(n, maxCalls)))
		}
		if len(problems) > 0 {
			return fmt.Errorf("refreshing %d apps (calls %v): %s", n, calls, strings.Join(problems, "; "))
		}
		return nil
	}
}

// The switch rule in a plan of N apps: N = 1 costs 1 GET; N = 2, 3 and 10
// cost 1 GET and page 1; N = 110 the GET and 2 pages
// (Terraform refreshes the oldest first, which are on page 2; a read that
// asks for page 2 before it pays goes by GET: at most the 9 others
// Terraform refreshes beside it).
func TestAccOAuthApp_pagedRefresh(t *testing.T) {
	for _, tc := range []struct{ n, gets, pages, maxCalls int }{
		{n: 1, gets: 1, pages: 0, maxCalls: 1},
		{n: 2, gets: client.PagedReadsAfter, pages: 1, maxCalls: 2},
		{n: 3, gets: client.PagedReadsAfter, pages: 1, maxCalls: 2},
		{n: 10, gets: client.PagedReadsAfter, pages: 1, maxCalls: client.PagedReadsAfter + 1},
		{n: 110, gets: -1, pages: 2, maxCalls: client.PagedReadsAfter + 2 + 9},
	} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			emu, url, api := newTestEmulatorWithAdminClient(t)
			config := pagedAppsConfig(url, tc.n)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             expectAppsDestroyed(api),
				Steps: []resource.TestStep{
					{Config: config},
					{
						PreConfig: emu.ResetCalls,
						Config:    config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
							expectRefreshCalls(emu, tc.n, tc.gets, tc.pages, tc.maxCalls),
						}},
					},
				},
			})
		})
	}
}

// A page that fails beyond its retries, or whose body is cut off, falls
// back to one GET per app: the plan is still empty, no app leaves state.
func TestAccOAuthApp_pagedRefreshFaults(t *testing.T) {
	const n = 20
	for _, tc := range []struct {
		name  string
		fault emulator.Fault
	}{
		{"500 beyond retries", emulator.Fault{Status: 500}},
		{"cut-off body", emulator.Fault{ApplyThenBody: emulator.BodyTruncated}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu, url, api := newTestEmulatorWithAdminClient(t)
			config := pagedAppsConfig(url, n)
			fault := tc.fault
			fault.Route, fault.Count = emulator.RouteListApps, 1000
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             expectAppsDestroyed(api),
				Steps: []resource.TestStep{
					{Config: config},
					{
						PreConfig: func() {
							emu.ResetCalls()
							emu.InjectFault(fault)
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
							// Page 1 and its one retry, then a GET per app.
							expectRefreshCalls(emu, n+2, n, 2, n+2),
						}},
						Check: func(*terraform.State) error { emu.ClearFaults(); return nil },
					},
				},
			})
		})
	}
}

// pagedCLIConfig is n apps, pipeshub_oauth_app.app[*], with the provider
// acting as token, and with bobs one more app, pipeshub_oauth_app.bobs.
func pagedCLIConfig(h *interruptHarness, serverURL, token string, n int, bobs bool) {
	config := countedAppsHCL("app", n)
	if bobs {
		config += `
resource "pipeshub_oauth_app" "bobs" {
  name                = "bob's"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
}
`
	}
	h.writeConfig(serverURL, token, config)
}

// Among 30 apps refreshed from pages, one deleted outside Terraform is read
// by GET, warned about and planned for create; one suspended outside
// Terraform is read from its page and planned for activation. Then an app
// of another user among them (bob's, created by bob's token with -target):
// the run stops with the one error, and plans nothing.
func TestAccOAuthApp_pagedRefreshDrift(t *testing.T) {
	const n = 30
	h := newInterruptHarness(t)
	emu, serverURL := newTestEmulator(t)
	alice := testAccClient(t, serverURL, testAccAliceToken)
	ctx := context.Background()
	pagedCLIConfig(h, serverURL, testAccAliceToken, n, false)
	h.mustRun("init", "-input=false", "-no-color")
	h.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	state := h.appsInState()
	addr := func(i int) string { return fmt.Sprintf("pipeshub_oauth_app.app[%d]", i) }
	if err := alice.DeleteApp(ctx, state[addr(12)].id); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SuspendApp(ctx, state[addr(13)].id); err != nil {
		t.Fatal(err)
	}

	emu.ResetCalls()
	out, code := h.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if code != 2 {
		h.fatalf(out, "plan -detailed-exitcode exited %d, want 2", code)
	}
	expectOnce(t, out, "Warning: OAuth app deleted outside Terraform", `404 for OAuth app "paged 12"`,
		addr(12)+" will be created", addr(13)+" will be updated in-place", `~ status = "suspended" -> "active"`,
		"Plan: 1 to add, 1 to change, 0 to destroy.")
	// 30 apps: 1 GET, page 1, and the deleted app's GET unless it was the
	// first read. (The create checks its scopes against the catalogue.)
	calls := emu.CallCounts()
	if err := writesWere("the plan", calls, nil); err != nil {
		t.Error(err)
	}
	if gets := calls[emulator.RouteGetApp]; calls[emulator.RouteListApps] != 1 || gets < client.PagedReadsAfter || gets > client.PagedReadsAfter+1 {
		t.Errorf("the plan made calls %v; want 1 page and %d or %d GETs", calls, client.PagedReadsAfter, client.PagedReadsAfter+1)
	}
	h.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if out, code := h.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); code != 0 {
		h.fatalf(out, "the plan after apply exited %d, want 0", code)
	}

	// bob's app joins the state, created with bob's token (which refreshes
	// only it), then everything is refreshed with alice's.
	pagedCLIConfig(h, serverURL, testAccBobToken, n, true)
	h.mustRun("apply", "-auto-approve", "-input=false", "-no-color", "-target=pipeshub_oauth_app.bobs")
	pagedCLIConfig(h, serverURL, testAccAliceToken, n, true)
	out, code = h.run("plan", "-input=false", "-no-color")
	if code != 1 {
		h.fatalf(out, "plan with bob's app among alice's exited %d, want 1", code)
	}
	expectErrors(t, out, 1)
	expectOnce(t, out, "Error: Cannot read OAuth app: another PipesHub user's credential", `OAuth app "bob's"`,
		"created by PipesHub user "+testAccBob.ID, "now acts as PipesHub user "+testAccAlice.ID)
	if strings.Contains(out, "will be created") || strings.Contains(out, "Plan:") {
		h.fatalf(out, "the run planned something")
	}
	if got := len(h.appsInState()); got != n+1 {
		t.Errorf("the state holds %d apps after the failed plan, want %d", got, n+1)
	}
	h.mustRun("state", "rm", "pipeshub_oauth_app.bobs")
	pagedCLIConfig(h, serverURL, testAccAliceToken, n, false)
	h.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
}

// The place in the listing that a refresh learns is kept in the app's
// private state, so a lost bet is lost once per app: 2 apps that 100 newer
// apps (made outside this configuration) pushed off page 1 cost page 1 and
// 2 GETs at the first two refreshes (each teaches the app read second), then
// 2 GETs, no more calls than apps.
func TestProtocol_listingPlaceKept(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	creator := newProtoProvider(t, url, testAccAdminToken)
	var apps []ownedApp
	for _, name := range []string{"old a", "old b"} {
		created := creator.createApp(m2mAppConfig(name))
		apps = append(apps, ownedApp{state: created.NewState, private: created.Private})
	}
	for i := range 100 {
		testAccCreateApp(t, api, clientCredentialsApp(fmt.Sprintf("newer %d", i)))
	}
	for i, tc := range []struct {
		order []int
		pages int
	}{{[]int{0, 1}, 1}, {[]int{1, 0}, 1}, {[]int{0, 1}, 0}, {[]int{1, 0}, 0}} {
		refresh := newProtoProvider(t, url, testAccAdminToken) // one terraform command
		emu.ResetCalls()
		for _, k := range tc.order {
			read := refresh.read(apps[k].state, apps[k].private, nil)
			requireNoDiags(t, "ReadResource", read.Diagnostics)
			apps[k].state, apps[k].private = read.NewState, read.Private
		}
		if calls := emu.CallCounts(); calls[emulator.RouteGetApp] != 2 || calls[emulator.RouteListApps] != tc.pages {
			t.Errorf("refresh %d: calls %v; want 2 GETs and %d pages", i+1, calls, tc.pages)
		}
	}
}
