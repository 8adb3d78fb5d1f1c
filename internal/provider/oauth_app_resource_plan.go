package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// ValidateConfig enforces PipesHub's create rule on the whole configuration:
// at least one redirect URI while authorization_code is an allowed grant
// (the default grants include it). Unknown values are let through.
func (r *oauthAppResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var grants, redirects types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("allowed_grant_types"), &grants)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("redirect_uris"), &redirects)...)
	if resp.Diagnostics.HasError() || grants.IsUnknown() || redirects.IsUnknown() {
		return
	}
	authCode := grants.IsNull() // the default grants include authorization_code
	for _, g := range grants.Elements() {
		if s, ok := g.(types.String); ok && s.ValueString() == client.GrantAuthorizationCode {
			authCode = true
		}
	}
	if authCode && len(redirects.Elements()) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("redirect_uris"), "Missing redirect URI",
			"At least one redirect URI is required when the authorization_code grant type is enabled "+
				"(allowed_grant_types defaults to authorization_code and refresh_token). Add a redirect URI, "+
				"or set allowed_grant_types without authorization_code, for example [\"client_credentials\"].")
	}
}

// ModifyPlan plans what a rotation or an unfinished apply will change and
// checks new scopes against the caller's live scope catalogue.
func (r *oauthAppResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan oauthAppResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *oauthAppResourceModel
	if !req.State.Raw.IsNull() {
		prior = &oauthAppResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
		r.planUnfinished(ctx, req, resp, &plan, prior)
	}
	if r.data == nil {
		return // provider settings unknown until apply: the catalogue cannot be fetched yet
	}
	var known types.Set
	if prior != nil {
		known = prior.AllowedScopes
	}
	r.checkScopes(r.data.MaskSecrets(ctx), plan.AllowedScopes, known, &resp.Diagnostics)
}

// checkScopes reports every planned scope that is not in the catalogue of the
// provider's user. Scopes already in state were accepted before and are not
// re-checked, so a plan that adds no scope makes no API call.
func (r *oauthAppResource) checkScopes(ctx context.Context, planned, known types.Set, diags *diag.Diagnostics) {
	if planned.IsNull() || planned.IsUnknown() {
		return
	}
	accepted := map[string]bool{}
	for _, v := range known.Elements() {
		if s, ok := v.(types.String); ok {
			accepted[s.ValueString()] = true
		}
	}
	var added []string
	for _, v := range planned.Elements() {
		s, ok := v.(types.String)
		if ok && !s.IsUnknown() && !s.IsNull() && !accepted[s.ValueString()] {
			added = append(added, s.ValueString())
		}
	}
	if len(added) == 0 {
		return
	}
	catalogue, err := r.data.ScopeCatalogue(ctx)
	if err != nil {
		diags.AddAttributeError(path.Root("allowed_scopes"), "Cannot check scopes",
			"Fetching PipesHub's scope catalogue failed: "+r.data.apiErrorDetail(err))
		return
	}
	names := make([]string, len(catalogue))
	for i, s := range catalogue {
		names[i] = s.Name
	}
	for _, scope := range added {
		if problem := unknownScopeProblem(scope, names); problem != "" {
			diags.AddAttributeError(path.Root("allowed_scopes"), "Scope not available", problem)
		}
	}
}

// unknownScopeProblem explains why scope is not grantable, with the nearest
// catalogue name as a suggestion, or returns "" when it is in the catalogue.
func unknownScopeProblem(scope string, catalogue []string) string {
	for _, name := range catalogue {
		if name == scope {
			return ""
		}
	}
	msg := fmt.Sprintf("Scope %q is not among the scopes this credential may grant.", scope)
	if suggestion := closest(scope, catalogue); suggestion != "" {
		msg += fmt.Sprintf(" Did you mean %q?", suggestion)
	}
	return msg + " Admin-only scopes (such as org:write or config:write) need a PipesHub admin's credential; " +
		"the pipeshub_oauth_scopes data source lists the scopes this credential may grant."
}

// planUnfinished marks client_secret unknown when a rotation is planned or
// the secret was lost at creation, forces an update when the create could not
// suspend the app, and says so; a null secret that no apply will fill (an
// imported app) is pointed out too, since only a rotation can obtain one.
func (r *oauthAppResource) planUnfinished(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, plan, prior *oauthAppResourceModel) {
	suspendPending, secretMissing := privateFlags(ctx, req.Private, &resp.Diagnostics)
	rotation := triggersChanged(plan.SecretRotationTriggers, prior.SecretRotationTriggers)
	if rotation || secretMissing {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("client_secret"), types.StringUnknown())...)
	}
	if secretMissing {
		resp.Diagnostics.AddAttributeWarning(path.Root("client_secret"), "Client secret will be regenerated",
			fmt.Sprintf("The secret of OAuth app %s was lost when it was created (its create answer never arrived and "+
				"regenerating it failed). This apply regenerates it.", prior.ID.ValueString()))
	}
	if suspendPending && plan.Status.ValueString() == client.StatusSuspended {
		// State already says "suspended"; an unknown updated_at makes the update that suspends it.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("updated_at"), types.StringUnknown())...)
		resp.Diagnostics.AddAttributeWarning(path.Root("status"), "OAuth app will be suspended",
			fmt.Sprintf("OAuth app %s could not be suspended when it was created and is still active in PipesHub. "+
				"This apply suspends it.", prior.ID.ValueString()))
	}
	if prior.ClientSecret.IsNull() && !rotation && !secretMissing {
		resp.Diagnostics.AddAttributeWarning(path.Root("client_secret"), "Client secret unknown to Terraform",
			fmt.Sprintf("client_secret of OAuth app %s is null: PipesHub returns a secret only when an app is created or "+
				"its secret is regenerated, and this app was imported. To have Terraform hold a secret, change "+
				"secret_rotation_triggers; PipesHub then replaces the current secret at once.", prior.ID.ValueString()))
	}
}
