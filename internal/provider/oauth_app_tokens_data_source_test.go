package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

func TestAccOAuthAppTokensDataSource(t *testing.T) {
	_, serverURL, c := newTestEmulatorWithAdminClient(t)
	ctx := context.Background()
	app := testAccCreateApp(t, c, client.CreateAppRequest{
		Name:              "token-minter",
		AllowedGrantTypes: []string{client.GrantClientCredentials},
		AllowedScopes:     []string{"kb:read", "semantic:read"},
	})
	for _, scopes := range [][]string{{"kb:read"}, nil} { // the second token gets every allowed scope
		if _, err := c.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, scopes); err != nil {
			t.Fatalf("minting a token: %v", err)
		}
	}
	tokenless := testAccCreateApp(t, c, clientCredentialsApp("tokenless"))
	theirs := testAccCreateApp(t, testAccClient(t, serverURL, testAccOtherAdminToken), clientCredentialsApp("someone-elses"))

	example := testAccProviderConfig(serverURL, testAccAdminToken) + testAccExample(t, "data-sources/pipeshub_oauth_app_tokens/data-source.tf")
	tokens := "data.pipeshub_oauth_app_tokens.reporting"
	isoTime := knownvalue.StringRegexp(rfc3339)
	clientCredentialsToken := func(scopes ...string) knownvalue.Check {
		scopeChecks := make([]knownvalue.Check, len(scopes))
		for i, s := range scopes {
			scopeChecks[i] = knownvalue.StringExact(s)
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.StringRegexp(hex24),
			"token_type":   knownvalue.StringExact("access"),
			"user_id":      knownvalue.Null(),
			"scopes":       knownvalue.ListExact(scopeChecks),
			"created_at":   isoTime,
			"expires_at":   isoTime,
			"name":         knownvalue.Null(),
			"last_used_at": knownvalue.Null(),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          example,
				ConfigVariables: config.Variables{"app_id": config.StringVariable(app.ID)},
				ConfigStateChecks: []statecheck.StateCheck{
					// Newest first.
					statecheck.ExpectKnownValue(tokens, tfjsonpath.New("tokens"), knownvalue.ListExact([]knownvalue.Check{
						clientCredentialsToken("kb:read", "semantic:read"),
						clientCredentialsToken("kb:read"),
					})),
				},
			},
			{
				Config:          example,
				ConfigVariables: config.Variables{"app_id": config.StringVariable(tokenless.ID)},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokens, tfjsonpath.New("tokens"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				Config:          example,
				ConfigVariables: config.Variables{"app_id": config.StringVariable(theirs.ID)},
				ExpectError:     regexp.MustCompile(`(?s)OAuth app not found.*HTTP 404\s+HTTP_NOT_FOUND`),
			},
			{
				Config:          example,
				ConfigVariables: config.Variables{"app_id": config.StringVariable("0123")},
				ExpectError:     regexp.MustCompile(`must be a PipesHub OAuth app id`),
			},
		},
	})
}
