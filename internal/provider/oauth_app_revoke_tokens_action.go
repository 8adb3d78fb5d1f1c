package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

var (
	_ action.Action               = (*oauthAppRevokeTokensAction)(nil)
	_ action.ActionWithConfigure  = (*oauthAppRevokeTokensAction)(nil)
	_ action.ActionWithModifyPlan = (*oauthAppRevokeTokensAction)(nil)
)

// newOAuthAppRevokeTokensAction returns the pipeshub_oauth_app_revoke_tokens
// action (Terraform 1.14 and later): PipesHub's revoke-all-tokens, on demand.
//
// It is the only action the provider offers. Regenerating a secret is left
// to the resource's secret_rotation_triggers: an action cannot write the
// resource's state nor return a value, so the new secret would reach no one
// and the state's client_secret would stop working. Suspending and
// activating are left to the resource's status attribute, which an action
// would fight: the next apply would undo it.
func newOAuthAppRevokeTokensAction() action.Action {
	return &oauthAppRevokeTokensAction{}
}

type oauthAppRevokeTokensAction struct {
	data *providerData
}

type oauthAppRevokeTokensModel struct {
	AppID types.String `tfsdk:"app_id"`
}

func (a *oauthAppRevokeTokensAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_app_revoke_tokens"
}

func (a *oauthAppRevokeTokensAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Revokes every access and refresh token PipesHub has issued to an OAuth app, at once " +
			"(Terraform 1.14 or later). The app, its settings and its client secret are unchanged, and so is the " +
			"state of any `pipeshub_oauth_app` resource: the action changes nothing Terraform stores. Clients " +
			"holding a `client_secret` can obtain new tokens right away; to stop that too, suspend the app " +
			"(`status = \"suspended\"` on the resource) or rotate its secret (`secret_rotation_triggers`).\n\n" +
			"Invoke it on demand with `terraform apply -invoke=action.pipeshub_oauth_app_revoke_tokens.NAME`, or " +
			"from a resource's `lifecycle` `action_trigger`. For a revocation that is part of the configuration " +
			"(recorded in state, repeated only when a value changes), the resource's `token_revocation_triggers` " +
			"does the same.\n\n" +
			"The plan checks that the app exists and is visible to the provider's credential (unless `app_id` is " +
			"known only after apply). PipesHub shows an app only to the user who created it, so another user's " +
			"app, admins included, is \"not found\".\n\n" +
			"The provider offers no action to regenerate a client secret: an action can neither write the " +
			"resource's state nor return a value, so the new secret would reach no one and the `client_secret` in " +
			"state would stop working the moment PipesHub issued it. Use the resource's " +
			"`secret_rotation_triggers`, which stores the new secret. Nor does it offer suspend or activate " +
			"actions: the resource's `status` attribute manages that, and the next apply would undo an action's " +
			"change.",
		Attributes: map[string]schema.Attribute{
			"app_id": schema.StringAttribute{
				MarkdownDescription: "The app's `id` (24 hexadecimal characters, such as `pipeshub_oauth_app.example.id`), " +
					"not its `client_id`.",
				Required:   true,
				Validators: []validator.String{appIDValidator()},
			},
		},
	}
}

func (a *oauthAppRevokeTokensAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan fails the plan, rather than the apply half-way, when the app
// cannot be found. It does nothing while the provider or app_id is unknown.
func (a *oauthAppRevokeTokensAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var cfg oauthAppRevokeTokensModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || a.data == nil || cfg.AppID.IsUnknown() || cfg.AppID.IsNull() {
		return
	}
	appID := cfg.AppID.ValueString()
	_, err := a.data.Client.GetApp(a.data.MaskSecrets(ctx), appID)
	switch {
	case client.IsNotFound(err):
		addAppNotFoundError(&resp.Diagnostics, path.Root("app_id"), appID, err)
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("app_id"), "Cannot check the OAuth app", a.data.apiErrorDetail(err))
	}
}

func (a *oauthAppRevokeTokensAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg oauthAppRevokeTokensModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	a.data.beforeWrite()
	appID := cfg.AppID.ValueString()
	err := a.data.Client.RevokeAllTokens(a.data.MaskSecrets(ctx), appID)
	switch {
	case client.IsNotFound(err):
		addAppNotFoundError(&resp.Diagnostics, path.Root("app_id"), appID, err)
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot revoke the OAuth app's tokens", a.data.apiErrorDetail(err))
		return
	}
	resp.SendProgress(action.InvokeProgressEvent{
		Message: fmt.Sprintf("Revoked every access and refresh token of OAuth app %s.", appID),
	})
}
