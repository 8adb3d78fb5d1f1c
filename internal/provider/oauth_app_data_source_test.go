package provider

import (
	"fmt"
	"reflect"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

func TestAccOAuthAppDataSource_byIDAndByName(t *testing.T) {
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
				"app_name": config.StringVariable("reporting-service"),
				"app_id":   config.StringVariable(app.ID),
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
				expectNoSecrets("data.pipeshub_oauth_app.by_name", app.ClientSecret, decoy.ClientSecret),
				expectNoSecrets("data.pipeshub_oauth_app.by_id", app.ClientSecret),
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
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured: \[id,name\]`),
			},
			{
				Config:      lookup(""),
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,name\]`),
			},
			{
				Config:      lookup(`id = "not-an-id"`),
				ExpectError: regexp.MustCompile(`must be a PipesHub OAuth app id`),
			},
			{
				// The three plan-time errors above never reached the API.
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
		},
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
