package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// The list resource Terraform 1.14+ reads: pipeshub_oauth_app, with the
// optional filters status and search.
func TestProtocol_listResourceSchema(t *testing.T) {
	_, url := newTestEmulator(t)
	p := newProtoProvider(t, url, testAccAdminToken)
	list := p.schemas.ListResourceSchemas["pipeshub_oauth_app"]
	if list == nil {
		t.Fatalf("no list resource pipeshub_oauth_app in %v", p.schemas.ListResourceSchemas)
	}
	got := map[string]bool{}
	for _, a := range list.Block.Attributes {
		got[a.Name] = a.Optional
	}
	if len(got) != 2 || !got["status"] || !got["search"] {
		t.Errorf("list resource attributes = %v, want optional status and search", got)
	}
	meta, err := p.srv.GetMetadata(context.Background(), &tfprotov6.GetMetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.ListResources) != 1 || meta.ListResources[0].TypeName != "pipeshub_oauth_app" {
		t.Errorf("GetMetadata list resources = %v", meta.ListResources)
	}
}

// listApps sends ListResource as terraform query does and collects the
// streamed results.
func (p *protoProvider) listApps(config map[string]tftypes.Value, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	p.t.Helper()
	stream, err := p.srv.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName:        "pipeshub_oauth_app",
		Config:          p.dynamic(p.schemas.ListResourceSchemas["pipeshub_oauth_app"].ValueType(), config),
		IncludeResource: includeResource,
		Limit:           limit,
	})
	if err != nil {
		p.t.Fatalf("ListResource: %v", err)
	}
	var results []tfprotov6.ListResourceResult
	for r := range stream.Results {
		results = append(results, r)
	}
	return results
}

// ListResource walks every page of the caller's apps (105 apps: two pages of
// 100), applies the filters and the limit, and streams each app's identity,
// name and, when asked, its resource object with a null secret. Another
// user's apps never appear.
func TestProtocol_listResource(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	other := testAccClient(t, url, testAccOtherAdminToken)
	testAccCreateApp(t, other, clientCredentialsApp("someone else's"))
	ctx := context.Background()
	byID := map[string]*client.AppWithSecret{}
	for i := range 105 {
		app := testAccCreateApp(t, api, clientCredentialsApp(fmt.Sprintf("bulk %03d", i)))
		byID[app.ID] = app
	}
	special := testAccCreateApp(t, api, client.CreateAppRequest{
		Name:         "Portal",
		Description:  ptr("Customer portal"),
		RedirectURIs: []string{"https://portal.example.com/cb"},
		AllowedScopes: []string{
			"openid", "kb:read",
		},
		HomepageURL:    ptr("https://portal.example.com"),
		IsConfidential: ptr(false),
	})
	if _, err := api.SuspendApp(ctx, special.ID); err != nil {
		t.Fatal(err)
	}
	p := newProtoProvider(t, url, testAccAdminToken)

	t.Run("every page", func(t *testing.T) {
		emu.ResetCalls()
		results := p.listApps(nil, false, 1000)
		if len(results) != 106 {
			t.Fatalf("%d results, want 106", len(results))
		}
		seen := map[string]bool{}
		for _, r := range results {
			requireNoDiags(t, "ListResource", r.Diagnostics)
			id := p.identityID(r.Identity)
			if seen[id] {
				t.Errorf("app %s listed twice", id)
			}
			seen[id] = true
			if app := byID[id]; app != nil && r.DisplayName != app.Name {
				t.Errorf("display name of %s = %q, want %q", id, r.DisplayName, app.Name)
			}
			if r.Resource != nil {
				t.Errorf("resource object sent without include_resource")
			}
		}
		expectCalls(t, "ListResource of two pages", emu, map[string]int{emulator.RouteListApps: 2})
	})

	t.Run("limit", func(t *testing.T) {
		emu.ResetCalls()
		if n := len(p.listApps(nil, false, 10)); n != 10 {
			t.Errorf("%d results with limit 10", n)
		}
		// One page of 10: the limit bounds what is read, not only what is sent.
		expectCalls(t, "limit 10", emu, map[string]int{emulator.RouteListApps: 1})
	})

	t.Run("filters and resource object", func(t *testing.T) {
		emu.ResetCalls()
		results := p.listApps(map[string]tftypes.Value{
			"status": tftypes.NewValue(tftypes.String, client.StatusSuspended),
			"search": tftypes.NewValue(tftypes.String, "portal"),
		}, true, 100)
		if len(results) != 1 {
			t.Fatalf("%d results, want the suspended Portal", len(results))
		}
		r := results[0]
		requireNoDiags(t, "ListResource", r.Diagnostics)
		if p.identityID(r.Identity) != special.ID || r.DisplayName != "Portal" {
			t.Errorf("result %s %q, want %s Portal", p.identityID(r.Identity), r.DisplayName, special.ID)
		}
		state := p.decode(p.resourceType(), r.Resource)
		for attr, want := range map[string]string{
			"id": special.ID, "client_id": special.ClientID, "name": "Portal", "description": "Customer portal",
			"homepage_url": "https://portal.example.com", "status": client.StatusSuspended,
		} {
			if got := str(t, state[attr]); got != want {
				t.Errorf("%s = %q, want %q", attr, got, want)
			}
		}
		for _, attr := range []string{"client_secret", "secret_rotation_triggers", "token_revocation_triggers", "timeouts", "privacy_policy_url"} {
			if !state[attr].IsNull() {
				t.Errorf("%s = %v, want null", attr, state[attr])
			}
		}
		var confidential bool
		if err := state["is_confidential"].As(&confidential); err != nil || confidential {
			t.Errorf("is_confidential = %v, want false", state["is_confidential"])
		}
		expectCalls(t, "ListResource", emu, map[string]int{emulator.RouteListApps: 1})
	})

	t.Run("failure", func(t *testing.T) {
		bad := newProtoProvider(t, url, "not-a-token")
		results := bad.listApps(nil, false, 100)
		if len(results) != 1 {
			t.Fatalf("%d results, want one diagnostic", len(results))
		}
		requireError(t, "ListResource", results[0].Diagnostics, "Cannot list OAuth apps", "401")
	})
}

// Acceptance (Terraform 1.14 and later): terraform query lists the caller's
// apps with their identities and resource objects.
func TestAccOAuthAppListResource_query(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	var ids []string
	for i := range 3 {
		app := testAccCreateApp(t, api, clientCredentialsApp(fmt.Sprintf("tfacc query %d", i)))
		ids = append(ids, app.ID)
	}
	testAccCreateApp(t, testAccClient(t, url, testAccOtherAdminToken), clientCredentialsApp("tfacc query other"))

	checks := []querycheck.QueryResultCheck{querycheck.ExpectLength("pipeshub_oauth_app.mine", 3)}
	for _, id := range ids {
		checks = append(checks, querycheck.ExpectIdentity("pipeshub_oauth_app.mine", map[string]knownvalue.Check{
			"id": knownvalue.StringExact(id),
		}))
	}
	checks = append(checks, querycheck.ExpectResourceKnownValues("pipeshub_oauth_app.mine",
		queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(ids[0])}),
		[]querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("tfacc query 0")},
			{Path: tfjsonpath.New("allowed_grant_types"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
				knownvalue.StringExact(client.GrantClientCredentials),
			})},
		}))

	// The provider is configured from the environment, as in CI: the query
	// step's file (.tfquery.hcl) sits beside the first step's .tf, and the
	// provider block may appear once only. Not parallel: it sets variables.
	t.Setenv(envServerURL, url)
	t.Setenv(envBearerAuth, testAccAdminToken)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipBelowQuery},
		Steps: []resource.TestStep{
			{Config: `data "pipeshub_oauth_scopes" "all" {}`},
			{
				Query: true,
				Config: `
provider "pipeshub" {}

list "pipeshub_oauth_app" "mine" {
  provider         = pipeshub
  include_resource = true

  config {
    search = "tfacc query"
  }
}
`,
				QueryResultChecks: checks,
			},
		},
	})
}

// What terraform query -generate-config-out then terraform plan do with a
// listed app: the generated configuration holds every attribute that is not
// computed-only, with the listed value; the generated import block imports
// by identity; the plan must then change nothing. The listed object must also
// be what the import reads, or the generated configuration would drift.
func TestProtocol_listedAppsPlanClean(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	ctx := context.Background()
	app := testAccCreateApp(t, api, client.CreateAppRequest{
		Name:                 "Generated",
		Description:          ptr("Listed then imported"),
		RedirectURIs:         []string{"https://gen.example.com/cb", "http://localhost:8080/cb"},
		AllowedScopes:        []string{"openid", "kb:read"},
		TermsOfServiceURL:    ptr("https://gen.example.com/tos"),
		AccessTokenLifetime:  ptr(int64(600)),
		RefreshTokenLifetime: ptr(int64(7200)),
	})
	if _, err := api.SuspendApp(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	p := newProtoProvider(t, url, testAccAdminToken)
	results := p.listApps(nil, true, 100)
	if len(results) != 1 {
		t.Fatalf("%d results", len(results))
	}
	typ := p.resourceType()
	listed, err := results[0].Resource.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}

	// Import by the listed identity, as the generated import block does.
	_, imported := p.importApp("", results[0].Identity)
	read := p.read(imported.State, imported.Private, imported.Identity)
	requireNoDiags(t, "ReadResource", read.Diagnostics)
	if len(read.Diagnostics) != 1 || read.Diagnostics[0].Summary != "Imported OAuth app has no client secret in Terraform" {
		t.Errorf("the import's read: diagnostics %v, want the one warning that Terraform holds no secret", read.Diagnostics)
	}
	state, err := read.NewState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !state.Equal(listed) {
		t.Errorf("imported state differs from the listed object:\nlisted   %s\nimported %s", listed, state)
	}

	// The generated configuration: the listed values of every attribute a
	// configuration may set.
	var listedAttrs map[string]tftypes.Value
	if err := listed.As(&listedAttrs); err != nil {
		t.Fatal(err)
	}
	config := map[string]tftypes.Value{}
	for _, a := range p.schemas.ResourceSchemas["pipeshub_oauth_app"].Block.Attributes {
		if a.Required || a.Optional {
			config[a.Name] = listedAttrs[a.Name]
		}
	}
	plan, err := p.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName:         "pipeshub_oauth_app",
		PriorState:       read.NewState,
		ProposedNewState: read.NewState, // the configuration repeats the state
		Config:           p.dynamic(typ, config),
		PriorPrivate:     read.Private,
		PriorIdentity:    read.NewIdentity,
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, "PlanResourceChange", plan.Diagnostics)
	planned, err := plan.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !planned.Equal(state) || len(plan.RequiresReplace) != 0 {
		t.Errorf("the plan of the generated configuration changes the app:\nstate   %s\nplanned %s\nreplace %v", state, planned, plan.RequiresReplace)
	}
	// The import, not every later plan, says that Terraform holds no secret:
	// the plan of the unchanged app is clean.
	if len(plan.Diagnostics) != 0 {
		t.Errorf("the plan of the imported app has diagnostics: %v", plan.Diagnostics)
	}
}

// terraform validate (and query) check the filters before any API call.
func TestProtocol_listResourceValidate(t *testing.T) {
	emu, url := newTestEmulator(t)
	p := newProtoProvider(t, url, testAccAdminToken)
	emu.ResetCalls()
	typ := p.schemas.ListResourceSchemas["pipeshub_oauth_app"].ValueType()
	resp, err := p.srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: "pipeshub_oauth_app",
		Config:   p.dynamic(typ, map[string]tftypes.Value{"status": tftypes.NewValue(tftypes.String, "revoked")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireError(t, "ValidateListResourceConfig", resp.Diagnostics, "status", "active", "suspended")
	resp, err = p.srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: "pipeshub_oauth_app",
		Config:   p.dynamic(typ, map[string]tftypes.Value{"status": tftypes.NewValue(tftypes.String, "active")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, "ValidateListResourceConfig", resp.Diagnostics)
	expectCalls(t, "ValidateListResourceConfig", emu, nil)
}
