package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// createApp plans and applies a new pipeshub_oauth_app of config as
// terraform does, and returns the applied state and private state.
func (p *protoProvider) createApp(config map[string]tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
	p.t.Helper()
	ctx := context.Background()
	typ := p.resourceType()
	cfg := p.dynamic(typ, config)
	prior, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		p.t.Fatal(err)
	}
	plan, err := p.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "pipeshub_oauth_app", PriorState: &prior, ProposedNewState: cfg, Config: cfg,
	})
	if err != nil {
		p.t.Fatalf("PlanResourceChange: %v", err)
	}
	requireNoDiags(p.t, "PlanResourceChange", plan.Diagnostics)
	applied, err := p.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "pipeshub_oauth_app", PriorState: &prior, PlannedState: plan.PlannedState, Config: cfg,
		PlannedPrivate: plan.PlannedPrivate,
	})
	if err != nil {
		p.t.Fatalf("ApplyResourceChange: %v", err)
	}
	requireNoDiags(p.t, "ApplyResourceChange", applied.Diagnostics)
	return applied
}

// m2mAppConfig is the configuration of a machine-to-machine app.
func m2mAppConfig(name string) map[string]tftypes.Value {
	set := func(v string) tftypes.Value {
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, v)})
	}
	return map[string]tftypes.Value{
		"name":                tftypes.NewValue(tftypes.String, name),
		"allowed_scopes":      set("kb:read"),
		"allowed_grant_types": set(client.GrantClientCredentials),
	}
}

// withName returns state with its name replaced.
func (p *protoProvider) withName(state *tfprotov6.DynamicValue, name string) *tfprotov6.DynamicValue {
	p.t.Helper()
	attrs := p.decode(p.resourceType(), state)
	attrs["name"] = tftypes.NewValue(tftypes.String, name)
	return p.dynamic(p.resourceType(), attrs)
}

// A refresh converts state from PipesHub's object only when the object is
// not the one state was written from (the fast path that keeps a refresh of
// thousands of unchanged apps at Terraform's own speed). To see which
// refreshes convert, each test reads a state whose name PipesHub never had:
// a refresh that keeps it did not convert; one that converts puts PipesHub's
// name back.
func TestProtocol_readConvertsOnlyChangedApps(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	p := newProtoProvider(t, url, testAccAdminToken)
	created := p.createApp(m2mAppConfig("as in PipesHub"))
	id := str(t, p.decode(p.resourceType(), created.NewState)["id"])
	marked := p.withName(created.NewState, "only in state")
	refreshedName := func(t *testing.T, p *protoProvider, private []byte) (string, *tfprotov6.ReadResourceResponse) {
		t.Helper()
		read := p.read(marked, private, nil)
		requireNoDiags(t, "ReadResource", read.Diagnostics)
		return str(t, p.decode(p.resourceType(), read.NewState)["name"]), read
	}

	t.Run("unchanged since the create", func(t *testing.T) {
		emu.ResetCalls()
		if name, _ := refreshedName(t, p, created.Private); name != "only in state" {
			t.Errorf("name %q: the refresh converted an app unchanged since the create wrote state", name)
		}
		expectCalls(t, "the refresh", emu, map[string]int{emulator.RouteGetApp: 1})
	})
	t.Run("no record: a state of an earlier provider, or an import", func(t *testing.T) {
		name, read := refreshedName(t, newProtoProvider(t, url, testAccAdminToken), nil)
		if name != "as in PipesHub" {
			t.Errorf("name %q, want PipesHub's", name)
		}
		// That refresh recorded the object: the next keeps state.
		again := p.read(p.withName(read.NewState, "only in state"), read.Private, nil)
		if got := str(t, p.decode(p.resourceType(), again.NewState)["name"]); got != "only in state" {
			t.Errorf("name %q: the refresh after a converting one converted again", got)
		}
	})
	t.Run("another provider version", func(t *testing.T) {
		if name, _ := refreshedName(t, newProtoProviderVersion(t, url, testAccAdminToken, "test-upgraded"), created.Private); name != "as in PipesHub" {
			t.Errorf("name %q: a new provider version kept the state an older one wrote", name)
		}
	})
	t.Run("changed in PipesHub", func(t *testing.T) {
		description := "changed outside Terraform"
		if _, err := api.UpdateApp(context.Background(), id, client.UpdateAppRequest{Description: &description}); err != nil {
			t.Fatal(err)
		}
		name, read := refreshedName(t, newProtoProvider(t, url, testAccAdminToken), created.Private)
		if got := str(t, p.decode(p.resourceType(), read.NewState)["description"]); name != "as in PipesHub" || got != description {
			t.Errorf("name %q, description %q: the change made in PipesHub was not read", name, got)
		}
	})
}
