package provider

// The fault matrix: every write route of pipeshub_oauth_app (create, update,
// suspend, activate, regenerate-secret, revoke-all-tokens, delete) under
// every way a write can go wrong, each case against its own emulator.
//
// What the suite proves, for every case:
//   - the faulted apply succeeds, or fails with the expected error, and
//     sends exactly the expected write calls (so the route was really hit,
//     and retried, re-created or adopted as it should be);
//   - once the fault is gone, applying the same configuration again
//     succeeds, with exactly the expected write calls, and a plan after it
//     is empty;
//   - no orphan (every app the user has in PipesHub is in state), no
//     duplicate (as many apps in PipesHub as resources in state), no
//     replaced app (the id after recovery is the id before the fault), each
//     app in the status the state says, and every client_secret in state
//     obtains a token at /oauth2/token (unchanged, except after a
//     rotation, which changes it).
//
// The faults: the answer lost after PipesHub applied the write; applied then
// answered 500/502/503/504; a 5xx before applying, once, and beyond
// max_retries (the apply must fail); an answer held back past the
// operation's timeout (applied, and for create also not applied); a 2xx
// with a malformed or a truncated body; a 429 with Retry-After. Plus
// identical sibling resources (count = 2) whose create answers are lost, an
// identical app created shortly before a failed create (never adopted), and
// a suspend that fails right after a create (no replacement; the next
// apply suspends).

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// faultAction is what the configuration change of a case makes the provider do.
type faultAction struct {
	name  string
	route string // the write route the change calls
	// arrange: an app exists before the fault (a first step creates it from before).
	arrange bool
	// before and after are extra attributes of the app before and after the change.
	before, after string
	// destroy: the configuration after the change has no app.
	destroy bool
}

// faultKind is a fault, without its route, and the provider settings it needs.
type faultKind struct {
	name  string
	fault emulator.Fault
	// maxRetries sets the provider's max_retries (0: the default).
	maxRetries int
	// timeouts sets create, update and delete timeouts of 2s.
	timeouts bool
}

// faultHang is how long a hung answer is held back: far past the 2s
// timeouts of the cases that use it. Not longer, because the emulator holds
// a hung handler for the whole hang even after the client has left, and
// closing the test server waits for it.
const faultHang = 10 * time.Second

// faultCalls counts write calls by route.
type faultCalls map[string]int

// faultCase is one row of the matrix.
type faultCase struct {
	action faultAction
	kind   faultKind
	// faultRoute, when set, is the route faulted instead of action.route.
	faultRoute string
	// wantErr is the error the faulted apply must fail with ("" = it succeeds).
	wantErr string
	// writes are the write calls of the faulted apply.
	writes faultCalls
	// again are the write calls of the re-apply once the fault is gone; nil
	// means none after a success and one call of action.route after a failure.
	again faultCalls
	// pending: the faulted apply succeeds but leaves a change for the next one.
	pending bool
	// count of identical resources (0: a single resource, no count).
	count int
	// preexisting: an identical app is created through the API ~1.5s before
	// the faulted apply; it must be left alone.
	preexisting bool
}

func (c faultCase) name() string {
	name := c.action.name + "/" + c.kind.name
	if c.count > 0 {
		name += fmt.Sprintf(", count %d", c.count)
	}
	if c.preexisting {
		name += ", identical app made before"
	}
	return name
}

// faultMatrix is the table of cases.
func faultMatrix() []faultCase {
	// Errors of the provider's write operations, as phrases (terraform wraps long lines).
	const (
		errCreate = "Cannot create OAuth app"
		errUpdate = "Cannot update OAuth app"
		errStatus = "Cannot change the status of the OAuth app"
		errRegen  = "Cannot regenerate the client secret"
		errRevoke = "Cannot revoke the OAuth app's tokens"
		errDelete = "Cannot delete OAuth app"
	)

	// Short names, to keep the table readable.
	const (
		rCreate   = emulator.RouteCreateApp
		rUpdate   = emulator.RouteUpdateApp
		rSuspend  = emulator.RouteSuspendApp
		rActivate = emulator.RouteActivateApp
		rRegen    = emulator.RouteRegenerateSecret
		rRevoke   = emulator.RouteRevokeAllTokens
		rDelete   = emulator.RouteDeleteApp
	)

	var (
		actCreate   = faultAction{name: "create", route: rCreate}
		actUpdate   = faultAction{name: "update", route: rUpdate, arrange: true, before: `description = "before"`, after: `description = "after"`}
		actSuspend  = faultAction{name: "suspend", route: rSuspend, arrange: true, after: `status = "suspended"`}
		actActivate = faultAction{name: "activate", route: rActivate, arrange: true, before: `status = "suspended"`, after: `status = "active"`}
		actRegen    = faultAction{name: "regenerate", route: rRegen, arrange: true, before: `secret_rotation_triggers = { v = "1" }`, after: `secret_rotation_triggers = { v = "2" }`}
		actRevoke   = faultAction{name: "revoke", route: rRevoke, arrange: true, before: `token_revocation_triggers = { v = "1" }`, after: `token_revocation_triggers = { v = "2" }`}
		actDelete   = faultAction{name: "delete", route: rDelete, arrange: true, destroy: true}
	)

	var (
		lostAnswer    = faultKind{name: "lost answer", fault: emulator.Fault{DropAfterApply: true}}
		applied500    = faultKind{name: "applied then 500", fault: emulator.Fault{ApplyThenStatus: 500}}
		applied502    = faultKind{name: "applied then 502", fault: emulator.Fault{ApplyThenStatus: 502}}
		applied503    = faultKind{name: "applied then 503", fault: emulator.Fault{ApplyThenStatus: 503}}
		applied504    = faultKind{name: "applied then 504", fault: emulator.Fault{ApplyThenStatus: 504}}
		before500     = faultKind{name: "500 before apply", fault: emulator.Fault{Status: 500}}
		before502     = faultKind{name: "502 before apply", fault: emulator.Fault{Status: 502}}
		beyondRetries = faultKind{name: "503 beyond max_retries", fault: emulator.Fault{Status: 503, Count: 5}, maxRetries: 1}
		hangApplied   = faultKind{name: "applied then hang past timeout", fault: emulator.Fault{ApplyThenHang: faultHang}, timeouts: true}
		delayNotSent  = faultKind{name: "delay past timeout", fault: emulator.Fault{Delay: faultHang}, timeouts: true}
		malformedBody = faultKind{name: "applied then malformed body", fault: emulator.Fault{ApplyThenBody: emulator.BodyMalformed}}
		truncatedBody = faultKind{name: "applied then truncated body", fault: emulator.Fault{ApplyThenBody: emulator.BodyTruncated}}
		rateLimited   = faultKind{name: "429 once", fault: emulator.Fault{Status: 429, RetryAfter: time.Second}}
	)

	creates := []faultCase{
		// create: an applied create is adopted (its secret regenerated), a 5xx
		// that applied nothing is sent again, a create that may still be
		// pending is never repeated.
		{action: actCreate, kind: lostAnswer, writes: faultCalls{rCreate: 1, rRegen: 1}},
		{action: actCreate, kind: applied500, writes: faultCalls{rCreate: 1, rRegen: 1}},
		{action: actCreate, kind: applied502, writes: faultCalls{rCreate: 1, rRegen: 1}},
		{action: actCreate, kind: applied503, writes: faultCalls{rCreate: 1, rRegen: 1}},
		{action: actCreate, kind: applied504, writes: faultCalls{rCreate: 1, rRegen: 1}},
		{action: actCreate, kind: before500, writes: faultCalls{rCreate: 2}},
		{action: actCreate, kind: before502, writes: faultCalls{rCreate: 2}},
		{action: actCreate, kind: beyondRetries, wantErr: errCreate + ".*HTTP 503.*PipesHub created no app named.*Nothing was left behind", writes: faultCalls{rCreate: 2}},
		{action: actCreate, kind: hangApplied, writes: faultCalls{rCreate: 1, rRegen: 1}},
		{action: actCreate, kind: delayNotSent, wantErr: errCreate + `.*context deadline exceeded; no app named "tfacc fault"`, writes: faultCalls{rCreate: 1}},
		{action: actCreate, kind: malformedBody, writes: faultCalls{rCreate: 1, rRegen: 1}},
		{action: actCreate, kind: truncatedBody, writes: faultCalls{rCreate: 1, rRegen: 1}},
		{action: actCreate, kind: rateLimited, writes: faultCalls{rCreate: 2}},
		// identical siblings share out what their lost creates made
		{action: actCreate, kind: faultKind{name: "second answer lost", fault: emulator.Fault{DropAfterApply: true, After: 1}}, count: 2, writes: faultCalls{rCreate: 2, rRegen: 1}},
		{action: actCreate, kind: faultKind{name: "both answers lost", fault: emulator.Fault{DropAfterApply: true, Count: 2}}, count: 2, writes: faultCalls{rCreate: 2, rRegen: 2}},
		// an identical app that existed before the create is not adopted
		{action: actCreate, kind: faultKind{name: "502 before apply", fault: emulator.Fault{Status: 502}}, preexisting: true, writes: faultCalls{rCreate: 2}},
		// a suspend failing right after the create: no taint, the next apply suspends
		{action: faultAction{name: "create suspended", route: rCreate, after: `status = "suspended"`}, faultRoute: rSuspend,
			kind:   faultKind{name: "suspend 503 beyond max_retries", fault: emulator.Fault{Status: 503, Count: 5}, maxRetries: 1},
			writes: faultCalls{rCreate: 1, rSuspend: 2}, pending: true, again: faultCalls{rSuspend: 1}},
	}

	// Every write after the create meets the same nine faults. Most make the
	// provider send the write once more; a 503 beyond max_retries fails the
	// apply. Two depend on the route: what a write held back past its timeout
	// does (hang's wantErr and again; it is sent once), and whether one
	// answered with a malformed body is sent again for its body
	// (malformedWrites 2) or not (1).
	writeCases := func(a faultAction, errPhrase string, hang faultCase, malformedWrites int) []faultCase {
		twice := faultCalls{a.route: 2}
		hang.action, hang.kind, hang.writes = a, hangApplied, faultCalls{a.route: 1}
		return []faultCase{
			{action: a, kind: lostAnswer, writes: twice},
			{action: a, kind: applied500, writes: twice},
			{action: a, kind: applied503, writes: twice},
			{action: a, kind: before500, writes: twice},
			{action: a, kind: beyondRetries, wantErr: errPhrase + ".*HTTP 503", writes: twice},
			hang,
			{action: a, kind: malformedBody, writes: faultCalls{a.route: malformedWrites}},
			{action: a, kind: truncatedBody, writes: twice},
			{action: a, kind: rateLimited, writes: twice},
		}
	}
	const deadline = ".*context deadline exceeded"
	return slices.Concat(creates,
		writeCases(actUpdate, errUpdate, faultCase{wantErr: errUpdate + deadline, again: faultCalls{}}, 2),
		// suspend and activate: an "already" answer or an uncertain failure is confirmed by a GET
		writeCases(actSuspend, errStatus, faultCase{}, 2),
		writeCases(actActivate, errStatus, faultCase{}, 2),
		// regenerate and revoke: a failure leaves the trigger unsaved, so the next apply does it again
		writeCases(actRegen, errRegen, faultCase{wantErr: errRegen + deadline}, 2),
		// revoke-all and delete need nothing from the body, so a malformed one
		// is not repeated (a cut-off one is)
		writeCases(actRevoke, errRevoke, faultCase{wantErr: errRevoke + deadline}, 1),
		// delete: a 404 on the retry counts as deleted; an app deleted although
		// the apply failed is dropped from state by the next refresh
		writeCases(actDelete, errDelete, faultCase{wantErr: errDelete + deadline, again: faultCalls{}}, 1),
	)
}

func TestAccOAuthAppFaults(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range faultMatrix() {
		name := c.name()
		if seen[name] {
			t.Fatalf("two cases named %q", name)
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) { testAccFaultCase(t, c) })
	}
}

func testAccFaultCase(t *testing.T, c faultCase) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	fault := c.kind.fault
	fault.Route = cmp.Or(c.faultRoute, c.action.route)
	before := faultConfig(url, c, c.action.before, false)
	after := faultConfig(url, c, c.action.after, c.action.destroy)

	again := c.again
	if again == nil {
		again = faultCalls{}
		if c.wantErr != "" {
			again = faultCalls{c.action.route: 1}
		}
	}
	var faulted map[string]int
	var keep []string // apps PipesHub holds that are not Terraform's
	var keepSecret, keepClientID string

	// Across the steps: one app, never replaced (its id in every state);
	// its secret kept, or changed by the rotation (before the fault against
	// after the recovery).
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	if c.action.route == emulator.RouteRegenerateSecret {
		sameSecret = statecheck.CompareValue(compare.ValuesDiffer())
	}
	single := !c.action.destroy && c.count == 0
	trackID := func() []statecheck.StateCheck {
		if !single {
			return nil
		}
		return []statecheck.StateCheck{sameID.AddStateValue(appAddr, tfjsonpath.New("id"))}
	}
	trackSecret := func() []statecheck.StateCheck {
		if !single || !c.action.arrange {
			return nil
		}
		return []statecheck.StateCheck{sameSecret.AddStateValue(appAddr, tfjsonpath.New("client_secret"))}
	}

	var steps []resource.TestStep
	if c.action.arrange {
		steps = append(steps, resource.TestStep{
			Config: before,
			// Also mints a token with each secret, which a revocation must then revoke.
			ConfigStateChecks: slices.Concat(trackID(), trackSecret(), []statecheck.StateCheck{expectFaultServerMatchesState(api, nil)}),
		})
	}
	faultStep := resource.TestStep{
		PreConfig: func() {
			if c.preexisting {
				app := testAccCreateApp(t, api, clientCredentialsApp("tfacc fault"))
				keep, keepClientID, keepSecret = []string{app.ID}, app.ClientID, app.ClientSecret
				time.Sleep(1500 * time.Millisecond)
			}
			emu.ResetCalls()
			emu.InjectFault(fault)
		},
		Config: after,
		// A case that leaves a change pending checks that the plan shows it.
		ExpectNonEmptyPlan: c.pending,
	}
	if c.pending {
		// An update in place, not a replacement.
		faultStep.ConfigPlanChecks.PostApplyPostRefresh = []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
		}
	}
	if c.wantErr != "" {
		faultStep.ExpectError = faultPhrase(c.wantErr)
	} else {
		faultStep.ConfigStateChecks = trackID()
	}
	// The fault cleared, the same configuration again: it must apply, make
	// exactly the expected calls, leave PipesHub and the state in step, and
	// a plan after it (with a refresh) must be empty.
	recovery := resource.TestStep{
		PreConfig: func() {
			faulted = emu.CallCounts()
			emu.ClearFaults()
			emu.ResetCalls()
		},
		Config: after,
		ConfigStateChecks: slices.Concat(trackID(), trackSecret(), []statecheck.StateCheck{
			stateCheckFunc(func(*tfjson.State) error {
				return errors.Join(
					writesWere("the faulted apply", faulted, c.writes),
					writesWere("the apply after the fault", emu.CallCounts(), again))
			}),
			expectFaultTokensRevoked(api, c.action.route == emulator.RouteRevokeAllTokens),
			expectFaultServerMatchesState(api, &keep),
			stateCheckFunc(func(*tfjson.State) error {
				if !c.preexisting {
					return nil
				}
				if _, err := api.ClientCredentialsToken(context.Background(), keepClientID, keepSecret, nil); err != nil {
					return fmt.Errorf("the app created before the apply lost its secret (adopted?): %w", err)
				}
				return nil
			}),
		}),
		ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
	}
	steps = append(steps, faultStep, recovery)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps:                    steps,
	})
}

// faultConfig is the configuration of a case: the provider (with the case's
// max_retries) and, unless destroy, the app with extra attributes.
func faultConfig(url string, c faultCase, extra string, destroy bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"pipeshub\" {\n  server_url  = %q\n  bearer_auth = %q\n", url, testAccAdminToken)
	if c.kind.maxRetries > 0 {
		fmt.Fprintf(&b, "  max_retries = %d\n", c.kind.maxRetries)
	}
	b.WriteString("}\n")
	if destroy {
		return b.String()
	}
	b.WriteString("\nresource \"pipeshub_oauth_app\" \"test\" {\n")
	if c.count > 0 {
		fmt.Fprintf(&b, "  count = %d\n", c.count)
	}
	b.WriteString(`  name                = "tfacc fault"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]
`)
	if extra != "" {
		b.WriteString("  " + extra + "\n")
	}
	if c.kind.timeouts {
		b.WriteString("  timeouts {\n    create = \"2s\"\n    update = \"2s\"\n    delete = \"2s\"\n  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// faultPhrase matches s with any run of whitespace where s has a space, since
// terraform wraps long diagnostic lines.
func faultPhrase(s string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(s, " ", `\s+`))
}

// expectFaultServerMatchesState checks PipesHub against the state
// (serverMatchesState), leaving alone the apps in keep, which the case's
// PreConfig fills.
func expectFaultServerMatchesState(api *client.Client, keep *[]string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		var kept []string
		if keep != nil {
			kept = *keep
		}
		return serverMatchesState(api, stateApps(state), kept)
	})
}

// expectFaultTokensRevoked checks, when on, that no app in state has a live token.
func expectFaultTokensRevoked(api *client.Client, on bool) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		if !on {
			return nil
		}
		for _, app := range stateApps(state) {
			tokens, err := api.ListTokens(context.Background(), app.id)
			if err != nil {
				return err
			}
			if len(tokens) != 0 {
				return fmt.Errorf("%s: %d live tokens after the revocation", app.address, len(tokens))
			}
		}
		return nil
	})
}
