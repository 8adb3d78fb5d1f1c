package provider

// Checks shared by the tests of several resources and data sources.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// hex24 matches PipesHub's ids, hex64 its client secrets, uuid its client
// ids and rfc3339 its timestamps.
var (
	hex24   = regexp.MustCompile(`^[0-9a-f]{24}$`)
	hex64   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	uuid    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
)

// wrapped matches text as Terraform prints it in a diagnostic, wrapped at any space.
func wrapped(text string) string {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(words, `\s+`)
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
		calls := emu.CallCounts()
		err := writesWere("the step", calls, want)
		if got := calls[emulator.RouteGetApp]; wantGets >= 0 && got != wantGets {
			err = errors.Join(err, fmt.Errorf("%s: %d calls, want %d (all calls: %v)", emulator.RouteGetApp, got, wantGets, calls))
		}
		return err
	}
}

// writesWere compares the write calls in calls, as the emulator counts them,
// with want (routes not in want: none).
func writesWere(what string, calls, want map[string]int) error {
	var problems []string
	for _, route := range writeRoutes {
		if calls[route] != want[route] {
			problems = append(problems, fmt.Sprintf("%s: %d calls, want %d", route, calls[route], want[route]))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s made unexpected write calls (all calls: %v):\n%s", what, calls, strings.Join(problems, "\n"))
	}
	return nil
}

// expectAppsDestroyed is the CheckDestroy of every test case that manages
// apps: each pipeshub_oauth_app the state held before the destroy must answer
// 404, for PipesHub deletes softly and hides a deleted app from every call
// (internal/emulator/README.md §5.6). api must act as the apps' creator, the
// only user who could still see them (§2).
func expectAppsDestroyed(api *client.Client) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var problems []error
		for address, r := range s.RootModule().Resources {
			if r.Type != "pipeshub_oauth_app" {
				continue
			}
			switch _, err := api.GetApp(context.Background(), r.Primary.ID); {
			case err == nil:
				problems = append(problems, fmt.Errorf("%s (%s) still exists after destroy", address, r.Primary.ID))
			case !client.IsNotFound(err):
				problems = append(problems, fmt.Errorf("%s (%s) after destroy: want 404, got %w", address, r.Primary.ID, err))
			}
		}
		return errors.Join(problems...)
	}
}

// captureAttr copies an attribute of a resource in state into dst, for a
// value needed once the state has moved on (in a PreConfig, in a later step
// that proves an old secret dead, in the log read after the test case);
// values compared across steps use statecheck.CompareValue instead.
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

// stateCheckFunc adapts a function to statecheck.StateCheck, for checks over
// the whole state or several resources at once.
type stateCheckFunc func(state *tfjson.State) error

func (f stateCheckFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

func stateResources(state *tfjson.State) []*tfjson.StateResource {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil
	}
	return state.Values.RootModule.Resources
}

func stateResource(state *tfjson.State, address string) (*tfjson.StateResource, error) {
	for _, r := range stateResources(state) {
		if r.Address == address {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%s is not in the state", address)
}

// stateApp is a pipeshub_oauth_app instance as the state holds it.
type stateApp struct {
	address, id, clientID, secret, status, name string
}

// stateApps returns the pipeshub_oauth_app instances in state.
func stateApps(state *tfjson.State) []stateApp {
	var apps []stateApp
	for _, r := range stateResources(state) {
		if r.Mode != tfjson.ManagedResourceMode || r.Type != "pipeshub_oauth_app" {
			continue
		}
		attr := func(name string) string { s, _ := r.AttributeValues[name].(string); return s }
		apps = append(apps, stateApp{r.Address, attr("id"), attr("client_id"), attr("client_secret"), attr("status"), attr("name")})
	}
	return apps
}

// serverMatchesState checks PipesHub against the apps in state: the user's
// apps, except those in keep, are exactly the apps in state (no orphan, no
// duplicate), each in the status the state says, and each secret in state
// obtains a token.
func serverMatchesState(api *client.Client, apps []stateApp, keep []string) error {
	ctx := context.Background()
	server, err := api.ListAllApps(ctx, "", "")
	if err != nil {
		return fmt.Errorf("listing the apps in PipesHub: %w", err)
	}
	var serverIDs, stateIDs []string
	for _, app := range server {
		if !slices.Contains(keep, app.ID) {
			serverIDs = append(serverIDs, app.ID)
		}
	}
	for _, app := range apps {
		stateIDs = append(stateIDs, app.id)
	}
	slices.Sort(serverIDs)
	slices.Sort(stateIDs)
	if !slices.Equal(serverIDs, stateIDs) {
		return fmt.Errorf("PipesHub holds apps %v (besides %v), the state %v: orphaned, duplicated or lost apps", serverIDs, keep, stateIDs)
	}
	status := map[string]string{}
	for _, app := range server {
		status[app.ID] = app.Status
	}
	for _, app := range apps {
		if status[app.id] != app.status {
			return fmt.Errorf("%s (%s) is %s in PipesHub, %s in state", app.address, app.id, status[app.id], app.status)
		}
		if err := secretWorks(ctx, api, app); err != nil {
			return fmt.Errorf("%s (%s): the client_secret in state does not work: %w", app.address, app.id, err)
		}
	}
	return nil
}

// secretWorks checks the app's client_secret at the token endpoint. A
// suspended app, which PipesHub refuses tokens, is activated for the check
// and suspended again.
func secretWorks(ctx context.Context, api *client.Client, app stateApp) error {
	if app.secret == "" {
		return errors.New("client_secret is empty")
	}
	if app.status == client.StatusSuspended {
		if _, err := api.ActivateApp(ctx, app.id); err != nil {
			return fmt.Errorf("activating it for the check: %w", err)
		}
		_, err := api.ClientCredentialsToken(ctx, app.clientID, app.secret, nil)
		if _, suspendErr := api.SuspendApp(ctx, app.id); suspendErr != nil {
			err = errors.Join(err, fmt.Errorf("suspending it again after the check: %w", suspendErr))
		}
		return err
	}
	_, err := api.ClientCredentialsToken(ctx, app.clientID, app.secret, nil)
	return err
}

// expectNoSecrets checks that no attribute of a resource, at any depth, is
// named like a secret or holds one of the given secret values.
func expectNoSecrets(address string, secrets ...string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		r, err := stateResource(state, address)
		if err != nil {
			return err
		}
		return findSecrets(address, r.AttributeValues, secrets)
	})
}

func findSecrets(at string, value any, secrets []string) error {
	switch v := value.(type) {
	case map[string]any:
		for key, inner := range v {
			if strings.Contains(key, "secret") {
				return fmt.Errorf("%s has an attribute %q", at, key)
			}
			if err := findSecrets(at+"."+key, inner, secrets); err != nil {
				return err
			}
		}
	case []any:
		for i, inner := range v {
			if err := findSecrets(fmt.Sprintf("%s[%d]", at, i), inner, secrets); err != nil {
				return err
			}
		}
	case string:
		for _, s := range secrets {
			if s != "" && strings.Contains(v, s) {
				return fmt.Errorf("%s holds a client secret", at)
			}
		}
	}
	return nil
}

// expectOneServerApp checks that PipesHub holds exactly the app in state.
func expectOneServerApp(api *client.Client) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		r, err := stateResource(state, appAddr)
		if err != nil {
			return err
		}
		apps, err := api.ListAllApps(context.Background(), "", "")
		if err != nil {
			return err
		}
		if len(apps) != 1 || apps[0].ID != r.AttributeValues["id"] {
			return fmt.Errorf("PipesHub holds %d apps, want only %v", len(apps), r.AttributeValues["id"])
		}
		return nil
	})
}

// expectWorkingSecret checks the client_secret in state at the token endpoint.
func expectWorkingSecret(api *client.Client, address string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		r, err := stateResource(state, address)
		if err != nil {
			return err
		}
		clientID, _ := r.AttributeValues["client_id"].(string)
		secret, _ := r.AttributeValues["client_secret"].(string)
		if _, err := api.ClientCredentialsToken(context.Background(), clientID, secret, nil); err != nil {
			return fmt.Errorf("the client_secret in state does not work: %w", err)
		}
		return nil
	})
}
