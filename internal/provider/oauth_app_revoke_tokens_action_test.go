package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

const revokeTokensAction = "pipeshub_oauth_app_revoke_tokens"

// The actions Terraform 1.14+ reads: only pipeshub_oauth_app_revoke_tokens,
// with a required app_id; none that would fight the resource's state
// (regenerate secret, suspend, activate).
func TestProtocol_actionSchemas(t *testing.T) {
	_, url := newTestEmulator(t)
	p := newProtoProvider(t, url, testAccAdminToken)
	if len(p.schemas.ActionSchemas) != 1 {
		t.Errorf("actions = %v, want only %s", p.schemas.ActionSchemas, revokeTokensAction)
	}
	action := p.schemas.ActionSchemas[revokeTokensAction]
	if action == nil || len(action.Schema.Block.Attributes) != 1 || action.Schema.Block.Attributes[0].Name != "app_id" ||
		!action.Schema.Block.Attributes[0].Required {
		t.Errorf("%s schema = %+v, want one required app_id", revokeTokensAction, action)
	}
	meta, err := p.srv.GetMetadata(context.Background(), &tfprotov6.GetMetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.Actions) != 1 || meta.Actions[0].TypeName != revokeTokensAction {
		t.Errorf("GetMetadata actions = %v", meta.Actions)
	}
}

func (p *protoProvider) actionConfig(appID tftypes.Value) *tfprotov6.DynamicValue {
	return p.dynamic(p.schemas.ActionSchemas[revokeTokensAction].Schema.ValueType(), map[string]tftypes.Value{"app_id": appID})
}

func (p *protoProvider) planRevoke(appID tftypes.Value) *tfprotov6.PlanActionResponse {
	p.t.Helper()
	resp, err := p.srv.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{
		ActionType: revokeTokensAction, Config: p.actionConfig(appID),
	})
	if err != nil {
		p.t.Fatalf("PlanAction: %v", err)
	}
	return resp
}

// invokeRevoke sends InvokeAction and returns the progress messages and the
// diagnostics of the completed event.
func (p *protoProvider) invokeRevoke(appID string) (progress []string, diags []*tfprotov6.Diagnostic) {
	p.t.Helper()
	stream, err := p.srv.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{
		ActionType: revokeTokensAction, Config: p.actionConfig(tftypes.NewValue(tftypes.String, appID)),
	})
	if err != nil {
		p.t.Fatalf("InvokeAction: %v", err)
	}
	completed := 0
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			completed++
			diags = e.Diagnostics
		}
	}
	if completed != 1 {
		p.t.Fatalf("InvokeAction sent %d completed events, want 1", completed)
	}
	return progress, diags
}

// The plan checks that the app is visible (one GET, skipped while app_id is
// unknown); the invocation revokes every token of the app (one POST
// revoke-all-tokens) and reports it; the app and its secret are unchanged.
func TestProtocol_revokeTokensAction(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	ctx := context.Background()
	app := testAccCreateApp(t, api, clientCredentialsApp("proto revoke"))
	for range 2 {
		if _, err := api.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, nil); err != nil {
			t.Fatal(err)
		}
	}
	if tokens, err := api.ListTokens(ctx, app.ID); err != nil || len(tokens) != 2 {
		t.Fatalf("tokens before = %d, %v", len(tokens), err)
	}
	othersApp := testAccCreateApp(t, testAccClient(t, url, testAccOtherAdminToken), clientCredentialsApp("someone else's"))
	p := newProtoProvider(t, url, testAccAdminToken)

	emu.ResetCalls()
	plan := p.planRevoke(tftypes.NewValue(tftypes.String, app.ID))
	requireNoDiags(t, "PlanAction", plan.Diagnostics)
	expectCalls(t, "PlanAction", emu, map[string]int{emulator.RouteGetApp: 1})

	emu.ResetCalls()
	plan = p.planRevoke(tftypes.NewValue(tftypes.String, tftypes.UnknownValue))
	requireNoDiags(t, "PlanAction with unknown app_id", plan.Diagnostics)
	expectCalls(t, "PlanAction with unknown app_id", emu, nil)

	plan = p.planRevoke(tftypes.NewValue(tftypes.String, othersApp.ID))
	requireError(t, "PlanAction of another user's app", plan.Diagnostics, "OAuth app not found", othersApp.ID, "only to the user who created it")

	emu.ResetCalls()
	progress, diags := p.invokeRevoke(app.ID)
	requireNoDiags(t, "InvokeAction", diags)
	if len(progress) != 1 || progress[0] != fmt.Sprintf("Revoked every access and refresh token of OAuth app %s.", app.ID) {
		t.Errorf("progress = %q", progress)
	}
	expectCalls(t, "InvokeAction", emu, map[string]int{emulator.RouteRevokeAllTokens: 1})
	if tokens, err := api.ListTokens(ctx, app.ID); err != nil || len(tokens) != 0 {
		t.Errorf("tokens after = %d, %v; want none", len(tokens), err)
	}
	// The secret still works: the action revoked tokens, nothing else.
	if _, err := api.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, nil); err != nil {
		t.Errorf("the secret stopped working: %v", err)
	}

	progress, diags = p.invokeRevoke(othersApp.ID)
	requireError(t, "InvokeAction of another user's app", diags, "OAuth app not found", othersApp.ID, "only to the user who created it")
	if len(progress) != 0 {
		t.Errorf("progress after a failure = %q", progress)
	}
}

// Acceptance (Terraform 1.14 and later): an action triggered after the
// creation of a terraform_data revokes the tokens of a managed app, and the
// app's state is unchanged.
func TestAccOAuthAppRevokeTokensAction_trigger(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	app := testAccCreateApp(t, api, clientCredentialsApp("tfacc revoke action"))
	if _, err := api.ClientCredentialsToken(context.Background(), app.ClientID, app.ClientSecret, nil); err != nil {
		t.Fatal(err)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipBelowActions},
		Steps: []resource.TestStep{{
			PreConfig: emu.ResetCalls,
			Config:    testAccProviderConfig(url, testAccAdminToken) + revokeOnCreateConfig(app.ID),
			Check: func(*terraform.State) error {
				if n := emu.Calls(emulator.RouteRevokeAllTokens); n != 1 {
					return fmt.Errorf("revoke-all-tokens called %d times, want 1", n)
				}
				tokens, err := api.ListTokens(context.Background(), app.ID)
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

// terraform validate refuses an app_id that is not an app id (a client_id,
// the likely mix-up) before any API call.
func TestProtocol_revokeTokensActionValidate(t *testing.T) {
	emu, url := newTestEmulator(t)
	p := newProtoProvider(t, url, testAccAdminToken)
	emu.ResetCalls()
	resp, err := p.srv.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
		ActionType: revokeTokensAction,
		Config:     p.actionConfig(tftypes.NewValue(tftypes.String, "f781997b-c958-4808-a804-5eef2f8102c2")),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireError(t, "ValidateActionConfig", resp.Diagnostics, "app_id", "24 hexadecimal characters")
	expectCalls(t, "ValidateActionConfig", emu, nil)
}

// revokeOnCreateConfig is the action revoking appID's tokens, triggered by
// the creation of a terraform_data (an incident record).
func revokeOnCreateConfig(appID string) string {
	return fmt.Sprintf(`
action "pipeshub_oauth_app_revoke_tokens" "now" {
  config {
    app_id = %q
  }
}

resource "terraform_data" "incident" {
  input = "INC-1"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.pipeshub_oauth_app_revoke_tokens.now]
    }
  }
}
`, appID)
}
