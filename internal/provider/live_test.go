package provider

// The live acceptance tests, TestAccLive_*: what the provider does, checked
// through PipesHub's API alone, with no fault injection, call counting or
// restart of the in-process emulator. By default they run against an
// in-process emulator like every other test; `make testacc-live` runs them
// against any PipesHub (PIPESHUB_ACC_LIVE=1 with PIPESHUB_SERVER_URL and
// PIPESHUB_BEARER_AUTH), and .ci/run against cmd/pipeshub-emulator as a
// separate process. Every app they create is named with liveNamePrefix and
// deleted by the end of its test; the sweeper removes what an interrupted run
// left (CONTRIBUTING.md, "Live acceptance tests").

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// liveNamePrefix starts the name of every app the live tests create: the
// sweeper deletes apps with this prefix, and only those.
const liveNamePrefix = "tfacc-live-"

// The live switch and the optional tokens of the users besides the main one
// (PIPESHUB_BEARER_AUTH): a second user of the same organisation (admin or
// member) for the visibility test, a member (not an admin) for the role test.
const (
	envAccLive          = "PIPESHUB_ACC_LIVE"
	envLiveSecondBearer = "PIPESHUB_SECOND_USER_BEARER_AUTH"
	envLiveMemberBearer = "PIPESHUB_MEMBER_BEARER_AUTH"
)

// liveServer is the PipesHub the live tests target, read once by TestMain
// (nil: each live test starts an in-process emulator).
var liveServer *liveSettings

type liveSettings struct {
	url                   string
	admin, second, member string // bearer tokens; second and member may be ""
}

// liveSettingsFromEnv reads the live switch. An error when it is on but the
// server or the main token is missing.
func liveSettingsFromEnv() (*liveSettings, error) {
	if os.Getenv(envAccLive) == "" {
		return nil, nil
	}
	s := &liveSettings{
		url: os.Getenv(envServerURL), admin: os.Getenv(envBearerAuth),
		second: os.Getenv(envLiveSecondBearer), member: os.Getenv(envLiveMemberBearer),
	}
	if s.url == "" || s.admin == "" {
		return nil, fmt.Errorf("%s is set: the live tests need %s and %s too", envAccLive, envServerURL, envBearerAuth)
	}
	return s, nil
}

// liveTarget is what one live test works against: a server, its users'
// tokens, an API client acting as the main user, and the test's own name
// prefix (liveNamePrefix plus a random part, so that concurrent runs and
// tests never see each other's apps).
type liveTarget struct {
	url                   string
	admin, second, member string
	api                   *client.Client
	prefix                string
}

// newLiveTarget returns the live server when one is configured, else an
// in-process emulator with the test users (all three tokens present). At
// the end of the test it deletes every app named with the test's prefix that
// a user can still see: the fixtures the test made through the API, and
// anything a failed destroy left.
func newLiveTarget(t *testing.T) *liveTarget {
	t.Helper()
	lt := &liveTarget{prefix: liveNamePrefix + acctest.RandStringFromCharSet(8, acctest.CharSetAlphaNum) + "-"}
	if liveServer != nil {
		lt.url, lt.admin, lt.second, lt.member = liveServer.url, liveServer.admin, liveServer.second, liveServer.member
	} else {
		_, lt.url = newTestEmulator(t)
		lt.admin, lt.second, lt.member = testAccAdminToken, testAccOtherAdminToken, testAccMemberToken
	}
	lt.api = testAccClient(t, lt.url, lt.admin)
	t.Cleanup(func() {
		for _, token := range lt.tokens() {
			deleted, err := sweepApps(context.Background(), testAccClient(t, lt.url, token), lt.prefix)
			if err != nil {
				t.Errorf("deleting the test's apps (%s*): %v", lt.prefix, err)
			}
			if len(deleted) > 0 {
				t.Logf("deleted the test's apps that Terraform did not manage: %v", deleted)
			}
		}
	})
	return lt
}

func (lt *liveTarget) tokens() []string {
	var tokens []string
	for _, token := range []string{lt.admin, lt.second, lt.member} {
		if token != "" {
			tokens = append(tokens, token)
		}
	}
	return tokens
}

// name is an app name with the test's prefix.
func (lt *liveTarget) name(suffix string) string { return lt.prefix + suffix }

// needSecond and needMember skip a test whose optional token was not given.
func (lt *liveTarget) needSecond(t *testing.T) {
	t.Helper()
	if lt.second == "" {
		t.Skipf("%s is not set: this test needs the token of a second user of the organisation, who must not see the first user's apps", envLiveSecondBearer)
	}
}

func (lt *liveTarget) needMember(t *testing.T) {
	t.Helper()
	if lt.member == "" {
		t.Skipf("%s is not set: this test needs the token of a member (not an admin) of the organisation, to whom admin-only scopes are refused", envLiveMemberBearer)
	}
}

// createApp creates a fixture app through the API (deleted at the end of the test).
func (lt *liveTarget) createApp(t *testing.T, token, suffix string) *client.AppWithSecret {
	t.Helper()
	return testAccCreateApp(t, testAccClient(t, lt.url, token), clientCredentialsApp(lt.name(suffix)))
}

// sweepApps deletes the caller's apps whose name starts with prefix, which
// must itself start with liveNamePrefix, and returns their ids. PipesHub's
// search is a substring of the name or the description (internal/emulator/
// README.md §5.1): each app found is checked for the prefix before it is
// deleted.
func sweepApps(ctx context.Context, api *client.Client, prefix string) ([]string, error) {
	if !strings.HasPrefix(prefix, liveNamePrefix) {
		return nil, fmt.Errorf("refusing to sweep apps named %q*: only %q* are the tests'", prefix, liveNamePrefix)
	}
	apps, err := api.ListAllApps(ctx, "", prefix)
	if err != nil {
		return nil, fmt.Errorf("listing the apps named %s*: %w", prefix, err)
	}
	var deleted []string
	var errs []error
	for _, app := range apps {
		if !strings.HasPrefix(app.Name, prefix) {
			continue
		}
		if err := api.DeleteApp(ctx, app.ID); err != nil && !client.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting %s (%q): %w", app.ID, app.Name, err))
			continue
		}
		deleted = append(deleted, app.ID)
	}
	return deleted, errors.Join(errs...)
}

// The sweeper (`make sweep-live`, or go test ./internal/provider -sweep=live):
// deletes every app named liveNamePrefix* that the live tests' users can see,
// left by an interrupted run. It needs PIPESHUB_SERVER_URL and
// PIPESHUB_BEARER_AUTH (the optional second and member tokens too, when the
// runs used them).
func init() {
	resource.AddTestSweepers("pipeshub_oauth_app", &resource.Sweeper{
		Name: "pipeshub_oauth_app",
		F: func(string) error {
			url, tokens := os.Getenv(envServerURL), []string{os.Getenv(envBearerAuth), os.Getenv(envLiveSecondBearer), os.Getenv(envLiveMemberBearer)}
			if url == "" || tokens[0] == "" {
				return fmt.Errorf("the sweeper needs %s and %s (and %s, %s for those users' apps)",
					envServerURL, envBearerAuth, envLiveSecondBearer, envLiveMemberBearer)
			}
			var errs []error
			for i, token := range tokens {
				if token == "" {
					continue
				}
				api, err := client.New(client.Config{ServerURL: url, BearerToken: token, UserAgent: "terraform-provider-pipeshub-sweeper"})
				if err != nil {
					return err
				}
				deleted, err := sweepApps(context.Background(), api, liveNamePrefix)
				fmt.Printf("sweeper: %s: deleted %d app(s) named %s*: %v\n",
					[]string{envBearerAuth, envLiveSecondBearer, envLiveMemberBearer}[i], len(deleted), liveNamePrefix, deleted)
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		},
	})
}

// The sweep deletes the apps named with the prefix, and no other: not one
// whose name has it further on, nor one whose description has it.
func TestSweepApps(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	ctx := context.Background()
	mine := testAccCreateApp(t, api, clientCredentialsApp(liveNamePrefix+"left over"))
	keep := []*client.AppWithSecret{
		testAccCreateApp(t, api, clientCredentialsApp("production "+liveNamePrefix)),
		testAccCreateApp(t, api, client.CreateAppRequest{
			Name: "production", Description: ptr(liveNamePrefix + "in the description"),
			AllowedGrantTypes: []string{client.GrantClientCredentials}, AllowedScopes: []string{"kb:read"},
		}),
		testAccCreateApp(t, api, clientCredentialsApp("TFACC-LIVE-upper case")),
	}
	theirs := testAccCreateApp(t, testAccClient(t, url, testAccOtherAdminToken), clientCredentialsApp(liveNamePrefix+"theirs"))

	deleted, err := sweepApps(ctx, api, liveNamePrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 1 || deleted[0] != mine.ID {
		t.Errorf("deleted %v, want only %s", deleted, mine.ID)
	}
	for _, app := range keep {
		if _, err := api.GetApp(ctx, app.ID); err != nil {
			t.Errorf("%q after the sweep: %v", app.Name, err)
		}
	}
	if _, err := testAccClient(t, url, testAccOtherAdminToken).GetApp(ctx, theirs.ID); err != nil {
		t.Errorf("another user's app after the sweep: %v", err)
	}
	if _, err := sweepApps(ctx, api, "production"); err == nil {
		t.Error("sweeping a prefix that is not the tests' was not refused")
	}
}

// An app's whole life: created, changed in place, suspended, activated with
// its secret rotated, imported, replaced, destroyed; PipesHub agrees with
// the state at each step and the secret in state obtains a token.
func TestAccLive_appLifecycle(t *testing.T) {
	lt := newLiveTarget(t)
	minimal := fmt.Sprintf(`
  name                = %q
  redirect_uris       = ["https://app.example.com/cb"]
  allowed_scopes      = ["openid", "kb:read"]
  allowed_grant_types = ["authorization_code", "client_credentials"]`, lt.name("lifecycle"))
	full := fmt.Sprintf(`
  name                   = %q
  description            = "Every attribute changed in place"
  redirect_uris          = ["https://app.example.com/cb2", "http://localhost:3000/cb"]
  allowed_scopes         = ["openid", "kb:read", "semantic:read"]
  allowed_grant_types    = ["authorization_code", "refresh_token", "client_credentials"]
  homepage_url           = "https://app.example.com"
  privacy_policy_url     = "https://app.example.com/privacy"
  terms_of_service_url   = "https://app.example.com/terms"
  access_token_lifetime  = 900
  refresh_token_lifetime = 86400`, lt.name("lifecycle renamed"))
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameSecret := statecheck.CompareValue(compare.ValuesSame())
	rotated := statecheck.CompareValue(compare.ValuesDiffer())
	replaced := statecheck.CompareValue(compare.ValuesDiffer())
	serverHas := func(field string, want func(*client.App) any, value any) statecheck.StateCheck {
		return expectServerApp(lt.api, appAddr, func(app *client.App) error {
			if got := want(app); fmt.Sprint(got) != fmt.Sprint(value) {
				return fmt.Errorf("PipesHub has %s %v, want %v", field, got, value)
			}
			return nil
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(lt.api),
		Steps: []resource.TestStep{
			{
				Config: appConfig(lt.url, lt.admin, minimal),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(hex24)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("is_confidential"), knownvalue.Bool(true)),
					sameID.AddStateValue(appAddr, tfjsonpath.New("id")),
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					rotated.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					serverHas("name", func(a *client.App) any { return a.Name }, lt.name("lifecycle")),
					expectWorkingSecret(lt.api, appAddr),
				},
			},
			{
				Config: appConfig(lt.url, lt.admin, full),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(appAddr, tfjsonpath.New("id")),
					sameSecret.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					serverHas("name", func(a *client.App) any { return a.Name }, lt.name("lifecycle renamed")),
					serverHas("access token lifetime", func(a *client.App) any { return a.AccessTokenLifetime }, 900),
					serverHas("scopes", func(a *client.App) any { return strings.Join(sortedCopy(a.AllowedScopes), " ") }, "kb:read openid semantic:read"),
				},
			},
			{
				Config: appConfig(lt.url, lt.admin, full+"\n  status = \"suspended\""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(appAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact("suspended")),
					serverHas("status", func(a *client.App) any { return a.Status }, client.StatusSuspended),
				},
			},
			{
				// Activated, and the secret rotated in the same apply.
				Config: appConfig(lt.url, lt.admin, full+"\n  status = \"active\"\n  secret_rotation_triggers = { v = \"2\" }"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(appAddr, tfjsonpath.New("id")),
					rotated.AddStateValue(appAddr, tfjsonpath.New("client_secret")),
					serverHas("status", func(a *client.App) any { return a.Status }, client.StatusActive),
					expectWorkingSecret(lt.api, appAddr),
				},
			},
			{
				Config:            appConfig(lt.url, lt.admin, full+"\n  status = \"active\"\n  secret_rotation_triggers = { v = \"2\" }"),
				ResourceName:      appAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The secret and the triggers are not read back; updated_at
				// is the rotation's, which the state learns at the next
				// refresh (privateUpdatedAtStale), while the import reads it now.
				ImportStateVerifyIgnore: []string{"client_secret", "secret_rotation_triggers", "updated_at"},
			},
			{
				// is_confidential cannot change in place: a new app replaces the old, which is gone.
				Config: appConfig(lt.url, lt.admin, full+"\n  is_confidential = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					replaced.AddStateValue(appAddr, tfjsonpath.New("id")),
					expectOnlyLiveApps(lt, appAddr),
				},
			},
		},
	})
}

// expectOnlyLiveApps checks that the main user's apps with the test's prefix
// are exactly the apps at addresses.
func expectOnlyLiveApps(lt *liveTarget, addresses ...string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		var want []string
		for _, address := range addresses {
			r, err := stateResource(state, address)
			if err != nil {
				return err
			}
			want = append(want, fmt.Sprint(r.AttributeValues["id"]))
		}
		apps, err := lt.api.ListAllApps(context.Background(), "", lt.prefix)
		if err != nil {
			return err
		}
		var got []string
		for _, app := range apps {
			if strings.HasPrefix(app.Name, lt.prefix) {
				got = append(got, app.ID)
			}
		}
		if strings.Join(sortedCopy(got), ",") != strings.Join(sortedCopy(want), ",") {
			return fmt.Errorf("PipesHub holds the test's apps %v, the state %v", got, want)
		}
		return nil
	})
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// expectStrings checks that the list attribute at address holds exactly want
// in any order (exact) or holds every one of want (!exact).
func expectStrings(address, attr string, exact bool, want ...string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		r, err := stateResource(state, address)
		if err != nil {
			return err
		}
		raw, _ := r.AttributeValues[attr].([]any)
		var got []string
		for _, v := range raw {
			got = append(got, fmt.Sprint(v))
		}
		if exact && !slices.Equal(sortedCopy(got), sortedCopy(want)) {
			return fmt.Errorf("%s.%s = %v, want %v in any order", address, attr, got, want)
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				return fmt.Errorf("%s.%s = %v, want it to hold %q", address, attr, got, w)
			}
		}
		return nil
	})
}

// The data sources: one app by id, name and client_id; the list of the
// caller's apps narrowed by search; the scope catalogue; an app's tokens.
func TestAccLive_dataSources(t *testing.T) {
	lt := newLiveTarget(t)
	app := lt.createApp(t, lt.admin, "reporting")
	other := lt.createApp(t, lt.admin, "reporting-v2")
	if _, err := lt.api.ClientCredentialsToken(context.Background(), app.ClientID, app.ClientSecret, nil); err != nil {
		t.Fatal(err)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(lt.url, lt.admin) + fmt.Sprintf(`
data "pipeshub_oauth_app" "by_name" {
  name = %[1]q
}

data "pipeshub_oauth_app" "by_id" {
  id = %[2]q
}

data "pipeshub_oauth_app" "by_client_id" {
  client_id = %[3]q
}

data "pipeshub_oauth_apps" "mine" {
  search = %[4]q
}

data "pipeshub_oauth_scopes" "all" {}

data "pipeshub_oauth_app_tokens" "reporting" {
  app_id = %[2]q
}
`, app.Name, app.ID, app.ClientID, lt.prefix),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("id"), knownvalue.StringExact(app.ID)),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("client_id"), knownvalue.StringExact(app.ClientID)),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("status"), knownvalue.StringExact("active")),
				expectSameAttributes("data.pipeshub_oauth_app.by_name", "data.pipeshub_oauth_app.by_id"),
				expectSameAttributes("data.pipeshub_oauth_app.by_name", "data.pipeshub_oauth_app.by_client_id"),
				expectNoSecrets("data.pipeshub_oauth_app.by_name", app.ClientSecret, other.ClientSecret),
				expectStrings("data.pipeshub_oauth_apps.mine", "ids", true, app.ID, other.ID),
				expectStrings("data.pipeshub_oauth_scopes.all", "names", false, "openid", "kb:read", "semantic:read"),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app_tokens.reporting", tfjsonpath.New("tokens"), knownvalue.ListSizeExact(1)),
			},
		}},
	})
}

// The ephemeral resource (Terraform 1.10 and later): a token for an app
// created in the same run, revoked when Terraform closes it.
func TestAccLive_accessToken(t *testing.T) {
	lt := newLiveTarget(t)
	resource.ParallelTest(t, resource.TestCase{
		// As the other ephemeral resource tests: the message names the floor.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: testAccEchoFactories,
		CheckDestroy:             expectAppsDestroyed(lt.api),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(lt.url, lt.admin) + fmt.Sprintf(`
resource "pipeshub_oauth_app" "reporting" {
  name                = %q
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read", "semantic:read"]
}

ephemeral "pipeshub_oauth_access_token" "reporting" {
  client_id     = pipeshub_oauth_app.reporting.client_id
  client_secret = pipeshub_oauth_app.reporting.client_secret
  scopes        = ["kb:read"]
}
`, lt.name("token")) + echoToken("reporting"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("token_type"), knownvalue.StringExact("Bearer")),
				statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("granted_scopes"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("kb:read")})),
				stateCheckFunc(func(state *tfjson.State) error {
					if err := checkIssuedToken(state, "pipeshub_oauth_app.reporting", "kb:read"); err != nil {
						return err
					}
					return expectNoLiveTokens(lt.api, state, "pipeshub_oauth_app.reporting")
				}),
			},
		}},
	})
}

// expectNoLiveTokens checks that PipesHub lists no live token of the app at address.
func expectNoLiveTokens(api *client.Client, state *tfjson.State, address string) error {
	r, err := stateResource(state, address)
	if err != nil {
		return err
	}
	tokens, err := api.ListTokens(context.Background(), fmt.Sprint(r.AttributeValues["id"]))
	if err != nil {
		return err
	}
	if len(tokens) != 0 {
		return fmt.Errorf("PipesHub still lists %d live tokens of %s", len(tokens), address)
	}
	return nil
}

// An import block with identity (Terraform 1.12 and later) imports an
// existing app and plans no change.
func TestAccLive_importByIdentity(t *testing.T) {
	lt := newLiveTarget(t)
	app := lt.createApp(t, lt.admin, "identity")
	body := fmt.Sprintf(`
  name                = %q
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]`, app.Name)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipBelowIdentity},
		CheckDestroy:             expectAppsDestroyed(lt.api),
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf("import {\n  to = %s\n  identity = {\n    id = %q\n  }\n}\n", appAddr, app.ID) +
					appConfig(lt.url, lt.admin, body),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(appAddr, map[string]knownvalue.Check{"id": knownvalue.StringExact(app.ID)}),
				},
			},
			{
				Config:          appConfig(lt.url, lt.admin, body),
				ResourceName:    appAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// terraform query (Terraform 1.14 and later) lists the caller's apps that
// match a search, with their identities.
func TestAccLive_query(t *testing.T) {
	lt := newLiveTarget(t)
	var ids []string
	for i := range 2 {
		ids = append(ids, lt.createApp(t, lt.admin, fmt.Sprintf("query %d", i)).ID)
	}
	checks := []querycheck.QueryResultCheck{querycheck.ExpectLength("pipeshub_oauth_app.mine", 2)}
	for _, id := range ids {
		checks = append(checks, querycheck.ExpectIdentity("pipeshub_oauth_app.mine", map[string]knownvalue.Check{
			"id": knownvalue.StringExact(id),
		}))
	}
	// Configured from the environment: the query file sits beside the
	// first step's, and the provider block may appear once only. Not
	// parallel: it sets variables.
	t.Setenv(envServerURL, lt.url)
	t.Setenv(envBearerAuth, lt.admin)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipBelowQuery},
		Steps: []resource.TestStep{
			{Config: `data "pipeshub_oauth_scopes" "all" {}`},
			{
				Query: true,
				Config: fmt.Sprintf(`
provider "pipeshub" {}

list "pipeshub_oauth_app" "mine" {
  provider = pipeshub

  config {
    search = %q
  }
}
`, lt.prefix),
				QueryResultChecks: checks,
			},
		},
	})
}

// An action (Terraform 1.14 and later) revokes an app's tokens when a
// terraform_data is created.
func TestAccLive_revokeTokensAction(t *testing.T) {
	lt := newLiveTarget(t)
	app := lt.createApp(t, lt.admin, "revoke action")
	if _, err := lt.api.ClientCredentialsToken(context.Background(), app.ClientID, app.ClientSecret, nil); err != nil {
		t.Fatal(err)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipBelowActions},
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(lt.url, lt.admin) + revokeOnCreateConfig(app.ID),
			Check: func(*terraform.State) error {
				tokens, err := lt.api.ListTokens(context.Background(), app.ID)
				if err != nil {
					return fmt.Errorf("listing the tokens after the action: %w", err)
				}
				if len(tokens) != 0 {
					return fmt.Errorf("%d tokens left after the action", len(tokens))
				}
				return nil
			},
		}},
	})
}

// Visibility (needs a second user's token): another user's app is not
// found by id, by name or in the list, and cannot be imported.
func TestAccLive_otherUsersApp(t *testing.T) {
	lt := newLiveTarget(t)
	lt.needSecond(t)
	theirs := lt.createApp(t, lt.second, "theirs")
	body := fmt.Sprintf(`
  name                = %q
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]`, theirs.Name)
	providerConfig := testAccProviderConfig(lt.url, lt.admin)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(lt.api),
		Steps: []resource.TestStep{
			{
				Config:      providerConfig + fmt.Sprintf("data \"pipeshub_oauth_app\" \"theirs\" {\n  id = %q\n}\n", theirs.ID),
				ExpectError: regexp.MustCompile(`(?s)OAuth app not found.*HTTP 404`),
			},
			{
				Config:      providerConfig + fmt.Sprintf("data \"pipeshub_oauth_app\" \"theirs\" {\n  name = %q\n}\n", theirs.Name),
				ExpectError: regexp.MustCompile(`No OAuth app named`),
			},
			{
				Config: providerConfig + fmt.Sprintf("data \"pipeshub_oauth_apps\" \"mine\" {\n  search = %q\n}\n", lt.prefix),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pipeshub_oauth_apps.mine", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				Config: fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", appAddr, theirs.ID) + appConfig(lt.url, lt.admin, body),
				ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)Cannot import OAuth app: not visible to this credential.*`+theirs.ID+
					`.*only to the user who created it`, " ", `\s+`)),
			},
		},
	})
}

// Roles (needs a member's token): a member's plan with an admin-only scope
// fails saying so; with the member's scopes the member creates an app.
func TestAccLive_memberRole(t *testing.T) {
	lt := newLiveTarget(t)
	lt.needMember(t)
	member := testAccClient(t, lt.url, lt.member)
	body := func(scope string) string {
		return fmt.Sprintf(`
  name                = %q
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read", %q]`, lt.name("member"), scope)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(member),
		Steps: []resource.TestStep{
			{
				Config:      appConfig(lt.url, lt.member, body("org:admin")),
				ExpectError: regexp.MustCompile(`(?s)Scope needs a PipesHub admin.*` + wrapped(`"org:admin" is an admin-only PipesHub scope`)),
			},
			{
				Config: appConfig(lt.url, lt.member, body("semantic:read")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					expectWorkingSecret(member, appAddr),
				},
			},
		},
	})
}
