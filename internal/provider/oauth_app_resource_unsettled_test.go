package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := unsettledConfig(url)
	var orphan []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			unsettledFirstStep(emu, config, emulator.Fault{DropAfterApply: true}),
			{
				PreConfig: func() {
					if err := callsWere("the failed apply", emu.CallCounts(), map[string]int{
						emulator.RouteCreateApp: 1, emulator.RouteListApps: 2,
					}); err != nil {
						t.Fatal(err)
					}
					if orphan = serverApps(t, api); len(orphan) != 1 {
						t.Fatalf("PipesHub holds %v after the lost create; want the one app it made", orphan)
					}
					emu.ClearFaults()
					emu.ResetCalls()
				},
				Config: config,
				// The refresh finds the orphan, which is tainted: replaced.
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionReplace),
					expectPriorID(&orphan),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(hex24)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
					stateCheckFunc(func(state *tfjson.State) error {
						if apps := stateApps(state); len(apps) != 1 || slices.Contains(orphan, apps[0].id) {
							return fmt.Errorf("state holds %v; want one app, not the orphan %v", apps, orphan)
						}
						// The refresh of the placeholder lists once; the replacement deletes the orphan and creates.
						return callsWere("the settling apply", emu.CallCounts(), map[string]int{
							emulator.RouteListApps: 1, emulator.RouteDeleteApp: 1, emulator.RouteCreateApp: 1,
						})
					}),
					expectFaultServerMatchesState(api, nil), // lists: after the count
				},
			},
			{
				Config:   config,
				PlanOnly: true, // settled: an empty plan
			},
		},
	})
}

// TestAccOAuthApp_createLostLookupFailsAgain: the lookup also fails on the
// next run. That run fails at its refresh, the placeholder stays, nothing is
// created or deleted; the run after it settles.
func TestAccOAuthApp_createLostLookupFailsAgain(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := unsettledConfig(url)
	var orphan []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			unsettledFirstStep(emu, config, emulator.Fault{DropAfterApply: true}),
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
			{
				PreConfig: func() {
					if err := callsWere("the apply whose lookup failed again", emu.CallCounts(), map[string]int{
						emulator.RouteListApps: 2,
					}); err != nil {
						t.Fatal(err)
					}
					if now := serverApps(t, api); !slices.Equal(now, orphan) {
						t.Fatalf("PipesHub holds %v, want only the orphan %v", now, orphan)
					}
					emu.ClearFaults()
					emu.ResetCalls()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionReplace),
					expectPriorID(&orphan),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					stateCheckFunc(func(*tfjson.State) error {
						return callsWere("the settling apply", emu.CallCounts(), map[string]int{
							emulator.RouteListApps: 1, emulator.RouteDeleteApp: 1, emulator.RouteCreateApp: 1,
						})
					}),
					expectFaultServerMatchesState(api, nil), // lists: after the count
				},
			},
		},
	})
}

// TestAccOAuthApp_createLostNothingMade: PipesHub answered the create with a
// 503 (so it had finished with it) but the lookup failed; it had made no
// app. The next refresh finds none, drops the placeholder, and the apply
// creates exactly one app (a create, not a replacement).
func TestAccOAuthApp_createLostNothingMade(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	config := unsettledConfig(url)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			unsettledFirstStep(emu, config, emulator.Fault{Status: 503}),
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
		},
	})
}
