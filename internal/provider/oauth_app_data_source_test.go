package provider

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

func TestAccOAuthAppDataSource_byIDByNameAndByClientID(t *testing.T) {
	_, serverURL, c := newTestEmulatorWithAdminClient(t)
	app := testAccCreateApp(t, c, client.CreateAppRequest{
		Name:              "reporting-service",
		Description:       ptr("Nightly reporting job"),
		RedirectURIs:      []string{"https://reports.example.com/callback"},
		AllowedGrantTypes: []string{client.GrantAuthorizationCode, client.GrantClientCredentials},
		AllowedScopes:     []string{"kb:read", "semantic:read"},
		HomepageURL:       ptr("https://reports.example.com"),
	})
	// Decoys that PipesHub's substring search also returns: the lookup must keep the exact name only.
	decoy := testAccCreateApp(t, c, clientCredentialsApp("reporting-service-v2"))
	testAccCreateApp(t, c, client.CreateAppRequest{Name: "REPORTING-SERVICE", Description: ptr("reporting-service, upper case"), AllowedGrantTypes: []string{client.GrantClientCredentials}, AllowedScopes: []string{"kb:read"}})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(serverURL, testAccAdminToken) + testAccExample(t, "data-sources/pipeshub_oauth_app/data-source.tf"),
			ConfigVariables: config.Variables{
				"app_name":      config.StringVariable("reporting-service"),
				"app_id":        config.StringVariable(app.ID),
				"app_client_id": config.StringVariable(app.ClientID),
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("id"), knownvalue.StringExact(app.ID)),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("client_id"), knownvalue.StringExact(app.ClientID)),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("description"), knownvalue.StringExact("Nightly reporting job")),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("allowed_scopes"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("kb:read"), knownvalue.StringExact("semantic:read")})),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("homepage_url"), knownvalue.StringExact("https://reports.example.com")),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("privacy_policy_url"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("access_token_lifetime"), knownvalue.Int64Exact(3600)),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.by_name", tfjsonpath.New("status"), knownvalue.StringExact("active")),
				expectSameAttributes("data.pipeshub_oauth_app.by_name", "data.pipeshub_oauth_app.by_id"),
				expectSameAttributes("data.pipeshub_oauth_app.by_name", "data.pipeshub_oauth_app.by_client_id"),
				expectNoSecrets("data.pipeshub_oauth_app.by_name", app.ClientSecret, decoy.ClientSecret),
				expectNoSecrets("data.pipeshub_oauth_app.by_id", app.ClientSecret),
				expectNoSecrets("data.pipeshub_oauth_app.by_client_id", app.ClientSecret, decoy.ClientSecret),
			},
		}},
	})
}

func TestAccOAuthAppDataSource_lookupErrors(t *testing.T) {
	emu, serverURL, c := newTestEmulatorWithAdminClient(t)
	grants := []string{client.GrantClientCredentials}
	first := testAccCreateApp(t, c, client.CreateAppRequest{Name: "twin", AllowedGrantTypes: grants, AllowedScopes: []string{"kb:read"}})
	second := testAccCreateApp(t, c, client.CreateAppRequest{Name: "twin", AllowedGrantTypes: grants, AllowedScopes: []string{"kb:read"}})
	theirs := testAccCreateApp(t, testAccClient(t, serverURL, testAccOtherAdminToken),
		client.CreateAppRequest{Name: "someone-elses", AllowedGrantTypes: grants, AllowedScopes: []string{"kb:read"}})

	providerConfig := testAccProviderConfig(serverURL, testAccAdminToken)
	lookup := func(arguments string) string {
		return providerConfig + fmt.Sprintf("data \"pipeshub_oauth_app\" \"test\" {\n%s\n}\n", arguments)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      lookup(fmt.Sprintf("id = %q\nname = \"twin\"", first.ID)),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,client_id,name\]`),
			},
			{
				Config:      lookup(fmt.Sprintf("id = %q\nclient_id = %q", first.ID, first.ClientID)),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,client_id,name\]`),
			},
			{
				Config:      lookup(""),
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,client_id,name\]`),
			},
			{
				Config:      lookup(`id = "not-an-id"`),
				ExpectError: regexp.MustCompile(`must be a PipesHub OAuth app id`),
			},
			{
				// The app's 24-hex id where its client id belongs: refused on client_id.
				Config:      lookup(fmt.Sprintf("client_id = %q", first.ID)),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value Match.*client_id.*must be an OAuth client id: a UUID in lower\s+case`),
			},
			{
				// PipesHub writes client ids in lower case and matches them exactly.
				Config:      lookup(fmt.Sprintf("client_id = %q", strings.ToUpper(first.ClientID))),
				ExpectError: regexp.MustCompile(`(?s)client_id.*must be an OAuth client id: a UUID in lower\s+case`),
			},
			{
				// The plan-time errors above never reached the API.
				PreConfig: func() {
					if n := emu.Calls(emulator.RouteGetApp) + emu.Calls(emulator.RouteListApps); n != 0 {
						t.Errorf("invalid lookups called the API %d times, want 0", n)
					}
				},
				Config: lookup(`name = "twin"`),
				ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)2 OAuth apps are named "twin".*(%s.*%s|%s.*%s)`,
					first.ID, second.ID, second.ID, first.ID)),
			},
			{
				// No exact match, but near misses: listed to help, never taken.
				Config:      lookup(`name = "TWIN"`),
				ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)No OAuth app named "TWIN".*contains that text:.*%s.*"twin"`, second.ID)),
			},
			{
				Config:      lookup(`name = "no-such-app"`),
				ExpectError: regexp.MustCompile(`No OAuth app named "no-such-app"`),
			},
			{
				Config:      lookup(`name = "someone-elses"`),
				ExpectError: regexp.MustCompile(`No OAuth app named "someone-elses"`),
			},
			{
				Config:      lookup(fmt.Sprintf("id = %q", theirs.ID)),
				ExpectError: regexp.MustCompile(`(?s)OAuth app not found.*HTTP 404\s+HTTP_NOT_FOUND:\s+OAuth app not found`),
			},
			{
				// Another user's app: PipesHub lists only the caller's apps, so the walk misses it.
				PreConfig:   emu.ResetCalls,
				Config:      lookup(fmt.Sprintf("client_id = %q", theirs.ClientID)),
				ExpectError: clientIDNotVisible(theirs.ClientID),
			},
			{
				// The miss read the caller's single page of apps, and nothing else.
				PreConfig: func() {
					if calls := emu.CallCounts(); calls[emulator.RouteListApps] != 1 || len(calls) != 1 {
						t.Errorf("the lookup of another user's client id made %v, want 1 list call", calls)
					}
				},
				Config:      lookup(fmt.Sprintf("client_id = %q", "f781997b-c958-4808-a804-5eef2f8102c2")),
				ExpectError: clientIDNotVisible("f781997b-c958-4808-a804-5eef2f8102c2"),
			},
		},
	})
}

// clientIDNotVisible matches the error of a client id lookup that found no
// app of the caller, which must explain PipesHub's per-creator visibility
// (terraform wraps the detail, so any space may be a line break).
func clientIDNotVisible(clientID string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(`(?s)Cannot read OAuth app: client_id not visible to this credential.*`+
		`none of the 2 OAuth apps listed to this credential has client_id "`+clientID+`".*`+
		`only to the user who created it.*admins of the same organisation.*bearer_auth.*deleted`, " ", `\s+`))
}

// A lookup by client id reads the caller's apps only up to the page that
// holds the app, 100 apps a page, newest first, and never GETs the app: the
// listed app is complete. Both id and client_id are known in the result.
func TestAccOAuthAppDataSource_byClientIDReadsOnlyThePagesNeeded(t *testing.T) {
	emu, serverURL, c := newTestEmulatorWithAdminClient(t)
	var apps []*client.AppWithSecret // oldest first; apps[i] is the (250-i)th newest
	for i := range 250 {
		apps = append(apps, testAccCreateApp(t, c, clientCredentialsApp(fmt.Sprintf("tfacc app %03d", i))))
	}
	onPage := map[int]*client.AppWithSecret{1: apps[150], 2: apps[149], 3: apps[0]} // the 100th, 101st and 250th newest

	providerConfig := testAccProviderConfig(serverURL, testAccAdminToken)
	var steps []resource.TestStep
	for page := 1; page <= 3; page++ {
		app := onPage[page]
		steps = append(steps, resource.TestStep{
			PreConfig: emu.ResetCalls,
			Config:    providerConfig + fmt.Sprintf("data \"pipeshub_oauth_app\" \"test\" {\n  client_id = %q\n}\n", app.ClientID),
			// The step's plan read the data source once; the apply used that read.
			Check: func(*terraform.State) error {
				if calls := emu.CallCounts(); calls[emulator.RouteListApps] != page || len(calls) != 1 {
					return fmt.Errorf("the lookup of the app on page %d made %v, want %d list calls only", page, calls, page)
				}
				return nil
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.test", tfjsonpath.New("id"), knownvalue.StringExact(app.ID)),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.test", tfjsonpath.New("client_id"), knownvalue.StringExact(app.ClientID)),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.test", tfjsonpath.New("name"), knownvalue.StringExact(app.Name)),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.test", tfjsonpath.New("allowed_grant_types"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(client.GrantClientCredentials)})),
				statecheck.ExpectKnownValue("data.pipeshub_oauth_app.test", tfjsonpath.New("created_at"), knownvalue.StringExact(app.CreatedAt)),
				expectNoSecrets("data.pipeshub_oauth_app.test", app.ClientSecret),
			},
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// expectSameAttributes checks that two resources hold identical attributes.
func expectSameAttributes(addressOne, addressTwo string) statecheck.StateCheck {
	return stateCheckFunc(func(state *tfjson.State) error {
		one, err := stateResource(state, addressOne)
		if err != nil {
			return err
		}
		two, err := stateResource(state, addressTwo)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(one.AttributeValues, two.AttributeValues) {
			return fmt.Errorf("%s and %s differ:\n%v\n%v", addressOne, addressTwo, one.AttributeValues, two.AttributeValues)
		}
		return nil
	})
}
