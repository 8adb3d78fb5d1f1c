package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// A create whose answer is lost while the lookup for the app it made keeps
// failing (the list answers 500 beyond max_retries) fails the apply, but
// leaves a placeholder in state with what it sent and when. The next apply
// settles it (replacing the tainted placeholder: its Delete finds and deletes
// the app the lost create made, its Create makes one app) instead of
// creating a duplicate beside an orphan.

// unsettledConfig is the configuration of these tests: one retry, so that a
// fault of Count 5 outlasts it.
func unsettledConfig(url string) string {
	return oneRetryAppConfig(url, "tfacc unsettled", "")
}

// unsettledTestCase runs the apply whose create fails with create while its
// lookup fails (unsettledFirstStep), then the steps later makes.
func unsettledTestCase(t *testing.T, create emulator.Fault, later func(emu *emulator.Emulator, api *client.Client, config string) []resource.TestStep) {
	t.Helper()
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := unsettledConfig(url)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps:                    append([]resource.TestStep{unsettledFirstStep(emu, config, create)}, later(emu, api, config)...),
	})
}

// unsettledFirstStep is the apply whose create and lookup both fail; create
// is the fault on the create.
func unsettledFirstStep(emu *emulator.Emulator, config string, create emulator.Fault) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			create.Route = emulator.RouteCreateApp
			emu.InjectFault(create)
			emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 500, Count: 2}) // the lookup and its one retry
			emu.ResetCalls()
		},
		Config:      config,
		ExpectError: faultPhrase(`Cannot create OAuth app.*looking for it failed.*placeholder for the app in state \(id "unsettled-create"\)`),
	}
}

// serverApps returns the ids of the apps PipesHub holds for the admin.
func serverApps(t *testing.T, api *client.Client) []string {
	t.Helper()
	apps, err := api.ListAllApps(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, app := range apps {
		ids = append(ids, app.ID)
	}
	return ids
}

// callsWere checks calls (writes, lists and GETs of one app) against want
// (routes not in want: none).
func callsWere(what string, calls, want map[string]int) error {
	err := writesWere(what, calls, want)
	for _, route := range []string{emulator.RouteListApps, emulator.RouteGetApp} {
		if calls[route] != want[route] {
			err = errors.Join(err, fmt.Errorf("%s: %s: %d calls, want %d (all calls: %v)", what, route, calls[route], want[route], calls))
		}
	}
	return err
}

// expectPriorID checks that the refresh before the plan left the app's id
// as *want (the orphan the refresh found) in state.
func expectPriorID(want *[]string) plancheck.PlanCheck {
	return planCheckFunc(func(plan *tfjson.Plan) error {
		if plan.PriorState == nil {
			return errors.New("the plan has no prior state")
		}
		r, err := stateResource(plan.PriorState, appAddr)
		if err != nil {
			return err
		}
		if id, _ := r.AttributeValues["id"].(string); len(*want) != 1 || id != (*want)[0] || r.AttributeValues["client_secret"] != nil {
			return fmt.Errorf("the refreshed state holds id %v (secret %v), want %v and no secret", id, r.AttributeValues["client_secret"] != nil, *want)
		}
		return nil
	})
}

// planCheckFunc adapts a function to plancheck.PlanCheck.
type planCheckFunc func(plan *tfjson.Plan) error

func (f planCheckFunc) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// TestAccOAuthApp_createLostLookupFailedSettledNextApply: the lost create had
// made the app. The next apply deletes that orphan (one list, one delete)
// and creates the app once: PipesHub then holds exactly the app in state,
// whose secret works, and a plan after it is empty.
func TestAccOAuthApp_createLostLookupFailedSettledNextApply(t *testing.T) {
	var orphan []string
	unsettledTestCase(t, emulator.Fault{DropAfterApply: true}, func(emu *emulator.Emulator, api *client.Client, config string) []resource.TestStep {
		return []resource.TestStep{
			settlingStep(emu, api, config, &orphan, func() {
				if err := callsWere("the failed apply", emu.CallCounts(), map[string]int{
					emulator.RouteCreateApp: 1, emulator.RouteListApps: 2,
				}); err != nil {
					t.Fatal(err)
				}
				if orphan = serverApps(t, api); len(orphan) != 1 {
					t.Fatalf("PipesHub holds %v after the lost create; want the one app it made", orphan)
				}
			}),
			{
				Config:   config,
				PlanOnly: true, // settled: an empty plan
			},
		}
	})
}

// TestAccOAuthApp_createLostLookupFailsAgain: the lookup also fails on the
// next run. That run fails at its refresh, the placeholder stays, nothing is
// created or deleted; the run after it settles.
func TestAccOAuthApp_createLostLookupFailsAgain(t *testing.T) {
	var orphan []string
	unsettledTestCase(t, emulator.Fault{DropAfterApply: true}, func(emu *emulator.Emulator, api *client.Client, config string) []resource.TestStep {
		return []resource.TestStep{
			{
				PreConfig: func() {
					if orphan = serverApps(t, api); len(orphan) != 1 {
						t.Fatalf("PipesHub holds %v after the lost create; want the one app it made", orphan)
					}
					emu.ClearFaults()
					emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 503, Count: 2})
					emu.ResetCalls()
				},
				Config:      config,
				ExpectError: faultPhrase(`Cannot settle an earlier create of the OAuth app.*looking for it failed.*HTTP 503.*The placeholder stays in state and Terraform created nothing`),
			},
			settlingStep(emu, api, config, &orphan, func() {
				if err := callsWere("the apply whose lookup failed again", emu.CallCounts(), map[string]int{
					emulator.RouteListApps: 2,
				}); err != nil {
					t.Fatal(err)
				}
				if now := serverApps(t, api); !slices.Equal(now, orphan) {
					t.Fatalf("PipesHub holds %v, want only the orphan %v", now, orphan)
				}
			}),
		}
	})
}

// settlingStep is the apply that settles a placeholder whose lost create
// made the app orphan: after check (in PreConfig, with the faults still
// there), the refresh finds the orphan, tainted, so the plan replaces it:
// one list, one delete, one create; then PipesHub holds exactly the app in
// state, whose secret works.
func settlingStep(emu *emulator.Emulator, api *client.Client, config string, orphan *[]string, check func()) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			check()
			emu.ClearFaults()
			emu.ResetCalls()
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionReplace),
			expectPriorID(orphan),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(hex24)),
			statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
			stateCheckFunc(func(state *tfjson.State) error {
				if apps := stateApps(state); len(apps) != 1 || slices.Contains(*orphan, apps[0].id) {
					return fmt.Errorf("state holds %v; want one app, not the orphan %v", apps, *orphan)
				}
				return callsWere("the settling apply", emu.CallCounts(), map[string]int{
					emulator.RouteListApps: 1, emulator.RouteDeleteApp: 1, emulator.RouteCreateApp: 1,
				})
			}),
			expectFaultServerMatchesState(api, nil), // lists: after the count
		},
	}
}

// TestAccOAuthApp_createLostNothingMade: PipesHub answered the create with a
// 503 (so it had finished with it) but the lookup failed; it had made no
// app. The next refresh finds none, drops the placeholder, and the apply
// creates exactly one app (a create, not a replacement).
func TestAccOAuthApp_createLostNothingMade(t *testing.T) {
	unsettledTestCase(t, emulator.Fault{Status: 503}, func(emu *emulator.Emulator, api *client.Client, config string) []resource.TestStep {
		return []resource.TestStep{
			{
				PreConfig: func() {
					if err := callsWere("the failed apply", emu.CallCounts(), map[string]int{
						emulator.RouteCreateApp: 1, emulator.RouteListApps: 2,
					}); err != nil {
						t.Fatal(err)
					}
					if apps := serverApps(t, api); len(apps) != 0 {
						t.Fatalf("PipesHub holds %v after a create answered 503 before applying", apps)
					}
					emu.ClearFaults()
					emu.ResetCalls()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
					stateCheckFunc(func(*tfjson.State) error {
						return callsWere("the settling apply", emu.CallCounts(), map[string]int{
							emulator.RouteListApps: 1, emulator.RouteCreateApp: 1,
						})
					}),
					expectFaultServerMatchesState(api, nil), // lists: after the count
				},
			},
			{
				Config:   config,
				PlanOnly: true,
			},
		}
	})
}

// unsettledCLI drives the terraform binary (terraform untaint and
// -refresh=false are out of plugin-testing's reach) through a first apply
// whose create answer is lost while the lookup fails, and returns the
// harness, the orphan's id and the untouched emulator calls.
func unsettledCLI(t *testing.T) (tf *interruptHarness, emu *emulator.Emulator, api *client.Client, orphan string) {
	tf = newInterruptHarness(t)
	emu, serverURL, api := newTestEmulatorWithAdminClient(t)
	// One retry: the lookup's failures need not wait out five backoffs.
	tf.writeMainTF(oneRetryAppConfig(serverURL, "cli unsettled", ""))
	tf.mustRun("init", "-input=false", "-no-color")
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
	emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 500, Count: 100}) // beyond any max_retries
	out, code := tf.run("apply", "-auto-approve", "-input=false", "-no-color")
	emu.ClearFaults()
	if code == 0 || !strings.Contains(out, "Cannot create OAuth app") || !strings.Contains(out, unsettledCreateID) {
		tf.fatalf(out, "the apply whose create and lookup failed exited %d; want an error naming the placeholder", code)
	}
	if apps := tf.appsInState(); len(apps) != 1 || apps[cliUnsettledAddr].id != unsettledCreateID {
		tf.fatalf(out, "state after the failed apply: %+v; want the placeholder", apps)
	}
	ids := serverApps(t, api)
	if len(ids) != 1 {
		t.Fatalf("PipesHub holds %v after the lost create; want the one app it made", ids)
	}
	emu.ResetCalls()
	return tf, emu, api, ids[0]
}

const cliUnsettledAddr = "pipeshub_oauth_app.test"

// expectCLISettled checks that PipesHub holds exactly the app in state, with
// a working secret, and that a plan after it is empty.
func expectCLISettled(t *testing.T, tf *interruptHarness, api *client.Client) stateApp {
	t.Helper()
	apps := tf.appsInState()
	app := apps[cliUnsettledAddr]
	if err := serverMatchesState(api, []stateApp{app}, nil); len(apps) != 1 || err != nil {
		t.Fatalf("state %+v: %v", apps, err)
	}
	if out, code := tf.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); code != 0 {
		tf.fatalf(out, "plan after settling exited %d; want 0 (no changes)", code)
	}
	return app
}

// TestAccOAuthApp_createLostUntaintedKept: the placeholder untainted
// (terraform untaint, as the found-app warning offers) keeps the app the
// lost create made: the refresh adopts it, and the apply regenerates its
// secret instead of replacing it.
func TestAccOAuthApp_createLostUntaintedKept(t *testing.T) {
	tf, emu, api, orphan := unsettledCLI(t)
	tf.mustRun("untaint", "-no-color", cliUnsettledAddr)
	out := tf.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if err := callsWere("the apply", emu.CallCounts(), map[string]int{
		emulator.RouteListApps: 1, emulator.RouteRegenerateSecret: 1,
	}); err != nil {
		tf.fatalf(out, "%v", err)
	}
	if !strings.Contains(out, "OAuth app made by a lost create found") {
		tf.fatalf(out, "no warning that the refresh found the app")
	}
	if app := expectCLISettled(t, tf, api); app.id != orphan {
		t.Errorf("state holds %s, want the app the lost create made, %s", app.id, orphan)
	}
}

// TestAccOAuthApp_createLostNoRefresh: without a refresh, the replacement's
// Delete settles the tainted placeholder, though Terraform hands it no
// private state: the placeholder's attributes say what the create sent and
// when. A first try whose lookup fails changes nothing and creates nothing;
// the next deletes the app the lost create made, and creates one.
func TestAccOAuthApp_createLostNoRefresh(t *testing.T) {
	tf, emu, api, orphan := unsettledCLI(t)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 500, Count: 100})
	out, code := tf.run("apply", "-refresh=false", "-auto-approve", "-input=false", "-no-color")
	emu.ClearFaults()
	if code == 0 || !strings.Contains(out, "Cannot settle an earlier create of the OAuth app") {
		tf.fatalf(out, "apply -refresh=false whose lookup fails exited %d; want the settle error", code)
	}
	if err := writesWere("apply -refresh=false whose lookup fails", emu.CallCounts(), map[string]int{}); err != nil {
		tf.fatalf(out, "%v", err)
	}
	if ids := serverApps(t, api); !slices.Equal(ids, []string{orphan}) {
		t.Fatalf("PipesHub holds %v, want only the orphan %s", ids, orphan)
	}
	emu.ResetCalls()
	expectNoRefreshSettles(t, tf, emu, api, orphan)
}

// TestAccOAuthApp_createLostUntaintedNoRefresh: an untainted placeholder is
// never taken for an app: without a refresh to settle it, the plan replaces
// it all the same, and its Delete settles it.
func TestAccOAuthApp_createLostUntaintedNoRefresh(t *testing.T) {
	tf, emu, api, orphan := unsettledCLI(t)
	tf.mustRun("untaint", "-no-color", cliUnsettledAddr)
	expectNoRefreshSettles(t, tf, emu, api, orphan)
}

// expectNoRefreshSettles applies with -refresh=false and checks that the
// placeholder's Delete deleted the orphan and one app was created.
func expectNoRefreshSettles(t *testing.T, tf *interruptHarness, emu *emulator.Emulator, api *client.Client, orphan string) {
	t.Helper()
	out := tf.mustRun("apply", "-refresh=false", "-auto-approve", "-input=false", "-no-color")
	if err := callsWere("apply -refresh=false", emu.CallCounts(), map[string]int{
		emulator.RouteListApps: 1, emulator.RouteDeleteApp: 1, emulator.RouteCreateApp: 1,
	}); err != nil {
		tf.fatalf(out, "%v", err)
	}
	if !strings.Contains(out, "OAuth app made by a lost create deleted") {
		tf.fatalf(out, "no warning that the orphan was deleted")
	}
	if app := expectCLISettled(t, tf, api); app.id == orphan {
		t.Errorf("state holds the orphan %s; want a new app", orphan)
	}
}
