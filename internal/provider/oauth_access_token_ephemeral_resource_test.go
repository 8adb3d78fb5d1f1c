package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// testAccEchoFactories adds plugin-testing's echo provider, which copies its
// configuration (here the ephemeral token's outputs) into the state of an
// "echo" resource: the only way to look at an ephemeral value in a test.
var testAccEchoFactories = func() map[string]func() (tfprotov6.ProviderServer, error) {
	factories := map[string]func() (tfprotov6.ProviderServer, error){"echo": echoprovider.NewProviderServer()}
	for name, factory := range testAccProtoV6ProviderFactories {
		factories[name] = factory
	}
	return factories
}()

// echoToken copies the outputs of ephemeral.pipeshub_oauth_access_token.<name>
// (not its inputs: the secret stays out) into echo.token.
func echoToken(name string) string {
	return fmt.Sprintf(`
provider "echo" {
  data = {
    access_token   = ephemeral.pipeshub_oauth_access_token.%[1]s.access_token
    token_type     = ephemeral.pipeshub_oauth_access_token.%[1]s.token_type
    expires_in     = ephemeral.pipeshub_oauth_access_token.%[1]s.expires_in
    expires_at     = ephemeral.pipeshub_oauth_access_token.%[1]s.expires_at
    scope          = ephemeral.pipeshub_oauth_access_token.%[1]s.scope
    granted_scopes = ephemeral.pipeshub_oauth_access_token.%[1]s.granted_scopes
  }
}

resource "echo" "token" {}
`, name)
}

// The example: an app created and a token obtained for it in the same run,
// and revoked when Terraform closed the ephemeral resource (revoke_on_close
// defaults to true).
func TestAccOAuthAccessToken_newAppInSameRun(t *testing.T) {
	emu, serverURL, c := newTestEmulatorWithAdminClient(t)
	started := time.Now()

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: testAccEchoFactories,
		CheckDestroy:             expectAppsDestroyed(c),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(serverURL, testAccAdminToken) +
				testAccExample(t, "ephemeral-resources/pipeshub_oauth_access_token/ephemeral-resource.tf") +
				echoToken("reporting"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("token_type"), knownvalue.StringExact("Bearer")),
				statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("expires_in"), knownvalue.Int64Exact(3600)),
				statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("scope"), knownvalue.StringExact("kb:read")),
				statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("granted_scopes"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("kb:read")})),
				statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("expires_at"),
					knownvalue.StringFunc(expiresAbout(started, time.Hour))),
				stateCheckFunc(func(state *tfjson.State) error {
					if err := checkIssuedToken(state, "pipeshub_oauth_app.reporting", "kb:read"); err != nil {
						return err
					}
					return checkEveryTokenRevoked(emu, c, state, "pipeshub_oauth_app.reporting")
				}),
			},
		}},
	})
}

// The token endpoint's refusals, each with PipesHub's OAuth error code and
// description; and a token with every allowed scope when scopes is unset.
func TestAccOAuthAccessToken_tokenEndpointErrors(t *testing.T) {
	emu, serverURL, c := newTestEmulatorWithAdminClient(t)
	service := client.CreateAppRequest{
		Name: "service", AllowedGrantTypes: []string{client.GrantClientCredentials}, AllowedScopes: []string{"kb:read", "semantic:read"},
	}
	active := testAccCreateApp(t, c, service)
	suspended := testAccCreateApp(t, c, service)
	if _, err := c.SuspendApp(context.Background(), suspended.ID); err != nil {
		t.Fatal(err)
	}
	interactive := testAccCreateApp(t, c, client.CreateAppRequest{
		Name: "interactive", RedirectURIs: []string{"https://app.example.com/cb"}, AllowedScopes: []string{"kb:read"},
	})

	cfg := testAccProviderConfig(serverURL, testAccAdminToken) + `
variable "client_id" {
  type = string
}

variable "client_secret" {
  type      = string
  sensitive = true
}

variable "scopes" {
  type    = set(string)
  default = null
}

variable "revoke_on_close" {
  type    = bool
  default = null
}

ephemeral "pipeshub_oauth_access_token" "test" {
  client_id       = var.client_id
  client_secret   = var.client_secret
  scopes          = var.scopes
  revoke_on_close = var.revoke_on_close
}
` + echoToken("test")
	credentials := func(app *client.AppWithSecret, scopes ...string) config.Variables {
		vars := config.Variables{
			"client_id":     config.StringVariable(app.ClientID),
			"client_secret": config.StringVariable(app.ClientSecret),
		}
		if scopes != nil {
			scopeVars := make([]config.Variable, len(scopes))
			for i, s := range scopes {
				scopeVars[i] = config.StringVariable(s)
			}
			vars["scopes"] = config.SetVariable(scopeVars...)
		}
		return vars
	}
	kept := credentials(active)
	kept["revoke_on_close"] = config.BoolVariable(false)
	wrongSecret := credentials(active)
	wrongSecret["client_secret"] = config.StringVariable(strings.Repeat("0", 64))

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: testAccEchoFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg, ConfigVariables: credentials(suspended),
				ExpectError: oauthErrorPattern(401, "invalid_client", "OAuth app is suspended"),
			},
			{
				Config: cfg, ConfigVariables: credentials(interactive),
				ExpectError: oauthErrorPattern(400, "unsupported_grant_type", "client_credentials grant not allowed for this app"),
			},
			{
				Config: cfg, ConfigVariables: credentials(active, "kb:read", "kb:write"),
				ExpectError: oauthErrorPattern(400, "invalid_scope", "Scopes not allowed for this app: kb:write"),
			},
			{
				Config: cfg, ConfigVariables: credentials(active, "nope:read"),
				ExpectError: oauthErrorPattern(400, "invalid_scope", "Invalid scopes: nope:read"),
			},
			{
				Config: cfg, ConfigVariables: wrongSecret,
				ExpectError: oauthErrorPattern(401, "invalid_client", "Invalid client credentials"),
			},
			{
				Config: cfg, ConfigVariables: credentials(active, "kb:read", "has space"),
				ExpectError: regexp.MustCompile(`must be one scope name, without spaces`),
			},
			{
				// revoke_on_close = false: the tokens stay valid after the run.
				Config: cfg, ConfigVariables: kept,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("granted_scopes"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("kb:read"), knownvalue.StringExact("semantic:read")})),
					stateCheckFunc(func(*tfjson.State) error {
						tokens, err := c.ListTokens(context.Background(), active.ID)
						if err != nil {
							return err
						}
						if len(tokens) == 0 || emu.Calls(emulator.RouteRevokeToken) != 0 {
							return fmt.Errorf("with revoke_on_close = false: %d tokens listed, %d revoke calls; want some and none",
								len(tokens), emu.Calls(emulator.RouteRevokeToken))
						}
						return nil
					}),
				},
			},
			{
				// A failed revocation is a warning: the run still succeeds.
				PreConfig: func() {
					emu.InjectFault(emulator.Fault{Route: emulator.RouteRevokeToken, Status: http.StatusBadRequest, Count: 100})
				},
				Config: cfg, ConfigVariables: credentials(active),
				ConfigStateChecks: []statecheck.StateCheck{stateCheckFunc(func(*tfjson.State) error {
					if n := emu.Calls(emulator.RouteRevokeToken); n == 0 {
						return fmt.Errorf("no revoke was attempted")
					}
					return nil
				})},
			},
		},
	})
}

// oauthErrorPattern matches the diagnostic of a token-endpoint refusal,
// whatever terraform's line wrapping.
func oauthErrorPattern(status int, code, description string) *regexp.Regexp {
	detail := fmt.Sprintf("PipesHub's token endpoint answered HTTP %d: %s: %s", status, code, description)
	return regexp.MustCompile(`(?s)PipesHub refused to issue an access token.*` + wrapped(detail))
}

func expiresAbout(issued time.Time, lifetime time.Duration) func(string) error {
	return func(value string) error {
		at, err := time.Parse(time.RFC3339, value)
		if err != nil {
			return err
		}
		earliest := issued.Add(lifetime).Truncate(time.Second)
		if at.Before(earliest) || at.After(time.Now().Add(lifetime)) {
			return fmt.Errorf("expires_at %s is not issue time + %s", value, lifetime)
		}
		return nil
	}
}

// checkIssuedToken checks that the echoed access token is a JWT issued to the
// app at appAddress with the given scope, and that the token sits in no state
// but the echo resource's.
func checkIssuedToken(state *tfjson.State, appAddress, scope string) error {
	echo, err := stateResource(state, "echo.token")
	if err != nil {
		return err
	}
	data, _ := echo.AttributeValues["data"].(map[string]any)
	token, _ := data["access_token"].(string)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Errorf("access_token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("decoding the JWT payload: %w", err)
	}
	var claims struct {
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return fmt.Errorf("decoding the JWT claims: %w", err)
	}

	app, err := stateResource(state, appAddress)
	if err != nil {
		return err
	}
	if claims.ClientID != app.AttributeValues["client_id"] || claims.Scope != scope {
		return fmt.Errorf("token claims client_id=%q scope=%q, want client_id=%v scope=%q", claims.ClientID, claims.Scope, app.AttributeValues["client_id"], scope)
	}
	for _, r := range stateResources(state) {
		if r.Address == "echo.token" {
			continue
		}
		raw, err := json.Marshal(r.AttributeValues)
		if err != nil {
			return err
		}
		if strings.Contains(string(raw), token) {
			return fmt.Errorf("the access token is stored in the state of %s", r.Address)
		}
	}
	return nil
}

// checkEveryTokenRevoked checks that the ephemeral resource revoked each
// token it obtained (one revoke call per token call, at least one of each)
// and that PipesHub therefore lists no live token of the app at appAddress.
func checkEveryTokenRevoked(emu *emulator.Emulator, c *client.Client, state *tfjson.State, appAddress string) error {
	issued, revoked := emu.Calls(emulator.RouteToken), emu.Calls(emulator.RouteRevokeToken)
	if issued == 0 || revoked != issued {
		return fmt.Errorf("%d token calls and %d revoke calls; want one revoke per token", issued, revoked)
	}
	app, err := stateResource(state, appAddress)
	if err != nil {
		return err
	}
	tokens, err := c.ListTokens(context.Background(), app.AttributeValues["id"].(string))
	if err != nil {
		return err
	}
	if len(tokens) != 0 {
		return fmt.Errorf("PipesHub still lists %d live tokens of the app: %+v", len(tokens), tokens)
	}
	return nil
}

// Terraform 1.10+ never opens an ephemeral resource whose configuration is
// not wholly known, so no terraform run reaches this path; other clients may.
// Open must then neither call PipesHub nor fail: it defers when the client
// allows it, and otherwise answers unknown values.
func TestOAuthAccessTokenEphemeralResource_openBeforeValuesAreKnown(t *testing.T) {
	ctx := context.Background()
	unknownString := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	knownString := tftypes.NewValue(tftypes.String, "a-client-id")

	cases := map[string]struct {
		data            *providerData
		clientSecret    tftypes.Value
		deferralAllowed bool
		wantDeferred    ephemeral.DeferredReason // 0: no deferral, unknown result
	}{
		"secret unknown, deferral allowed": {
			data: &providerData{}, clientSecret: unknownString, deferralAllowed: true,
			wantDeferred: ephemeral.DeferredReasonEphemeralResourceConfigUnknown,
		},
		"provider not configured, deferral allowed": {
			data: nil, clientSecret: knownString, deferralAllowed: true,
			wantDeferred: ephemeral.DeferredReasonProviderConfigUnknown,
		},
		"secret unknown, no deferral":          {data: &providerData{}, clientSecret: unknownString},
		"provider not configured, no deferral": {data: nil, clientSecret: knownString},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := &oauthAccessTokenEphemeralResource{data: tc.data}
			var schemaResp ephemeral.SchemaResponse
			r.Schema(ctx, ephemeral.SchemaRequest{}, &schemaResp)
			objectType := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)

			values := map[string]tftypes.Value{}
			for attr, typ := range objectType.AttributeTypes {
				values[attr] = tftypes.NewValue(typ, nil)
			}
			values["client_id"] = knownString
			values["client_secret"] = tc.clientSecret
			config := tftypes.NewValue(objectType, values)

			req := ephemeral.OpenRequest{
				Config:             tfsdk.Config{Raw: config, Schema: schemaResp.Schema},
				ClientCapabilities: ephemeral.OpenClientCapabilities{DeferralAllowed: tc.deferralAllowed},
			}
			resp := ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Raw: config.Copy(), Schema: schemaResp.Schema}}
			r.Open(ctx, req, &resp) // a nil client would panic if Open tried to call PipesHub

			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
			}
			if tc.wantDeferred != 0 {
				if resp.Deferred == nil || resp.Deferred.Reason != tc.wantDeferred {
					t.Fatalf("deferred = %v, want reason %s", resp.Deferred, tc.wantDeferred)
				}
				return
			}
			if resp.Deferred != nil {
				t.Fatalf("deferred although the client does not allow it: %v", resp.Deferred)
			}
			var result oauthAccessTokenModel
			if d := resp.Result.Get(ctx, &result); d.HasError() {
				t.Fatalf("reading the result: %v", d)
			}
			if !result.AccessToken.IsUnknown() || !result.ExpiresAt.IsUnknown() || !result.GrantedScopes.IsUnknown() {
				t.Errorf("computed attributes should be unknown, got %+v", result)
			}
			if result.ClientID.ValueString() != "a-client-id" {
				t.Errorf("client_id = %s, want the configured value", result.ClientID)
			}
		})
	}
}

// With TF_LOG=TRACE, neither the client secret given to the ephemeral
// resource nor the access token it obtains (and revokes on close) reaches the logs (terraform's and
// the provider's, both written to TF_ACC_LOG_PATH). Not parallel: it sets
// process-wide logging variables.
func TestAccOAuthAccessToken_secretsStayOutOfLogs(t *testing.T) {
	readLog := testAccTraceLog(t)
	_, serverURL, api := newTestEmulatorWithAdminClient(t)
	// Captured for the log, which is complete only after the test case.
	var secret, token string

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: testAccEchoFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"pipeshub\" {\n  server_url = %q\n}\n", serverURL) +
				testAccExample(t, "ephemeral-resources/pipeshub_oauth_access_token/ephemeral-resource.tf") +
				echoToken("reporting"),
			Check: resource.ComposeTestCheckFunc(
				captureAttr("pipeshub_oauth_app.reporting", "client_secret", &secret),
				captureAttr("echo.token", "data.access_token", &token),
			),
		}},
	})

	log := readLog()
	// The log must really hold the provider's token and revoke requests (the
	// latter sent from Close, with the secret and token in private data), or
	// the test proves nothing.
	if !strings.Contains(log, "/oauth2/token") || !strings.Contains(log, "/oauth2/revoke") {
		t.Fatalf("trace log (%d bytes) lacks the token or revoke request: provider logs were not captured", len(log))
	}
	if n := strings.Count(log, secret); n > 0 {
		t.Errorf("the client secret appears %d times in the trace log", n)
	}
	// The echo resource holds the token in its state by design, and
	// plugin-testing logs that state ("ignoring dynamic block"): those lines
	// are the test's own doing; no other line may hold the token.
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, token) && !strings.Contains(line, "UpgradeResourceState: ignoring dynamic block") {
			t.Errorf("the access token appears in the trace log, in a line starting %.120q", line[:strings.Index(line, token)])
		}
	}
}
