package provider

import (
	"context"
	"fmt"
	"slices"

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
	// A placeholder not settled by a refresh is replaced, never taken for an app.
	placeholder := !req.State.Raw.IsNull() && planUnsettledCreate(ctx, req, resp)
	if !placeholder && !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw) {
		// Nothing changes (every app of a plan after a refresh): no new scope
		// to check, and only unfinished work has something to say. Skipping
		// the two whole-model conversions below is most of the provider's own
		// work in a large plan.
		if !privateFlags(ctx, req.Private, &resp.Diagnostics).any() {
			return
		}
	}
	if req.State.Raw.IsNull() || placeholder {
		// A new app: only its scopes have something to check, and converting
		// the whole plan for them would cost more than the rest of its plan.
		var scopes types.Set
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("allowed_scopes"), &scopes)...)
		if !resp.Diagnostics.HasError() && r.data != nil {
			r.checkScopes(r.data.MaskSecrets(ctx), scopes, types.Set{}, &resp.Diagnostics)
		}
		return
	}
	var plan, prior oauthAppResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.planUnfinished(ctx, req, resp, &plan, &prior)
	if r.data == nil {
		return // provider settings unknown until apply: the catalogue cannot be fetched yet
	}
	r.checkScopes(r.data.MaskSecrets(ctx), plan.AllowedScopes, prior.AllowedScopes, &resp.Diagnostics)
}

// checkScopes reports every planned scope that is not in the catalogue of the
// provider's user, telling a misspelt scope from an admin-only one. Scopes
// already in state were accepted before and are not re-checked, so a plan that
// adds no scope makes no API call.
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
	catalogue, ok := r.data.planCatalogue(ctx, diags)
	if !ok {
		return
	}
	for _, scope := range added {
		if summary, detail := scopeProblem(scope, catalogue); summary != "" {
			diags.AddAttributeError(path.Root("allowed_scopes"), summary, detail)
		}
	}
}

// planCatalogue returns the caller's scope catalogue for a plan-time check.
// When it cannot be fetched, the first resource to ask reports why, naming the
// setting to fix when that is the cause (a wrong bearer_auth, an unreachable
// server_url), and not on allowed_scopes, which is not at fault; later
// resources of the run neither fetch it again (ScopeCatalogue keeps the
// failure) nor repeat the error (the plan fails on the first), so a wrong
// token or URL gives one error, not one per resource, and an unreachable
// server costs its retries once.
func (d *providerData) planCatalogue(ctx context.Context, diags *diag.Diagnostics) ([]client.Scope, bool) {
	catalogue, err := d.ScopeCatalogue(ctx)
	if err == nil {
		return catalogue.Scopes, true
	}
	if cause := settingsCause(err); cause != "" && d.problems.explained(cause) {
		return nil, false // a data source's error (or another resource's) already says it, and fails the plan
	}
	if !d.problems.firstTime(causeCatalogue) {
		return nil, false
	}
	diags.AddError(apiErrorSummary(err, "Cannot check scopes"),
		"The provider checks allowed_scopes against PipesHub's scope catalogue at plan time, and fetching it "+
			"failed: "+d.apiErrorDetail(err))
	return nil, false
}

// adminOnlyScopes are the scopes PipesHub lets only admins register (its
// scopes.config.ts). A member's catalogue leaves them out, so without this
// list a member's admin-only scope would look like a misspelt one.
var adminOnlyScopes = map[string]bool{
	"org:write": true, "org:admin": true, "user:invite": true, "user:delete": true, "usergroup:write": true,
	"team:write": true, "config:write": true, "crawl:write": true, "crawl:delete": true,
}

// scopeProblem explains why scope cannot be granted by the provider's user,
// or returns "" when it is in the user's catalogue: either it is an admin-only
// scope and the user is not an admin, or it is no PipesHub scope at all (with
// the nearest scope name as a suggestion).
func scopeProblem(scope string, catalogue []client.Scope) (summary, detail string) {
	names := make([]string, 0, len(catalogue)+len(adminOnlyScopes))
	admin := false // an admin's catalogue lists the admin-only scopes
	for _, s := range catalogue {
		if s.Name == scope {
			return "", ""
		}
		names = append(names, s.Name)
		admin = admin || adminOnlyScopes[s.Name]
	}
	if adminOnlyScopes[scope] && !admin {
		return "Scope needs a PipesHub admin", fmt.Sprintf("%q is an admin-only PipesHub scope: only a user whose role "+
			"is admin may register it, and bearer_auth belongs to a user who is not an admin (the scope catalogue "+
			"PipesHub gives this user leaves the admin-only scopes out). Remove the scope, or manage this app with an "+
			"admin's token; PipesHub shows an app only to the user who created it, so keep using that admin's token "+
			"for it afterwards.", scope)
	}
	if !admin {
		for name := range adminOnlyScopes {
			names = append(names, name)
		}
		slices.Sort(names[len(catalogue):]) // a stable suggestion between equally near admin-only scopes
	}
	detail = fmt.Sprintf("%q is not a PipesHub scope (scope names are exact, such as kb:read).", scope)
	switch suggestion := closest(scope, names); {
	case suggestion != "" && adminOnlyScopes[suggestion] && !admin:
		detail += fmt.Sprintf(" Did you mean %q? That one is admin-only: it needs a PipesHub admin's token.", suggestion)
	case suggestion != "":
		detail += fmt.Sprintf(" Did you mean %q?", suggestion)
	}
	return "Unknown scope", detail + " The pipeshub_oauth_scopes data source lists the scopes this credential may grant."
}

// planUnfinished marks client_secret unknown when a rotation is planned or
// the secret is lost or no longer works, forces an update when the create
// could not suspend the app, and says what the app's consumers will feel:
// a reviewer reads the plan, not the configuration, so every planned change
// that breaks a consumer warns, naming the app.
func (r *oauthAppResource) planUnfinished(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, plan, prior *oauthAppResourceModel) {
	unfinished := privateFlags(ctx, req.Private, &resp.Diagnostics)
	label := appLabel(prior.Name.ValueString(), prior.ID.ValueString(), prior.ClientID.ValueString())
	rotation := triggersChanged(plan.SecretRotationTriggers, prior.SecretRotationTriggers)
	if rotation || unfinished.regenerateSecret() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("client_secret"), types.StringUnknown())...)
	}
	const secretConsequence = "PipesHub invalidates the current secret at once: every consumer still using it is refused " +
		"new tokens (401 invalid_client) until it is given the new client_secret. Tokens issued before stay valid."
	switch {
	case unfinished.secretMissing:
		resp.Diagnostics.AddAttributeWarning(path.Root("client_secret"), "Client secret will be regenerated",
			fmt.Sprintf("The secret of %s was lost when it was created (its create answer never arrived and "+
				"regenerating it failed). This apply regenerates it.", label))
	case unfinished.secretReplaced:
		resp.Diagnostics.AddAttributeWarning(path.Root("client_secret"), "Client secret was regenerated outside Terraform",
			fmt.Sprintf("The client secret Terraform holds for %s no longer works: PipesHub's token endpoint refused it "+
				"after the app changed outside Terraform, so its secret was regenerated elsewhere (the PipesHub UI, the "+
				"API, another tool). client_secret is null in state, and this apply regenerates the secret again so that "+
				"Terraform holds a working one: whoever holds the secret made elsewhere loses it. %s",
				label, secretConsequence))
	case rotation && plan.SecretRotationTriggers.IsUnknown():
		resp.Diagnostics.AddAttributeWarning(path.Root("secret_rotation_triggers"), "Client secret may be regenerated",
			fmt.Sprintf("secret_rotation_triggers of %s is known only during apply; if its value changes, the apply "+
				"regenerates the client secret. %s", label, secretConsequence))
	case rotation && len(plan.SecretRotationTriggers.Elements()) == 0:
		resp.Diagnostics.AddAttributeWarning(path.Root("secret_rotation_triggers"), "Client secret will be regenerated",
			fmt.Sprintf("secret_rotation_triggers of %s is removed, which is a change of its value, so this apply "+
				"regenerates the client secret. %s To stop rotating without a new secret, keep the map's last value "+
				"instead of removing it.", label, secretConsequence))
	case rotation:
		resp.Diagnostics.AddAttributeWarning(path.Root("secret_rotation_triggers"), "Client secret will be regenerated",
			fmt.Sprintf("secret_rotation_triggers of %s changed, so this apply regenerates the client secret. %s",
				label, secretConsequence))
	}
	if triggersChanged(plan.TokenRevocationTriggers, prior.TokenRevocationTriggers) {
		resp.Diagnostics.AddAttributeWarning(path.Root("token_revocation_triggers"), "Tokens of the OAuth app will be revoked",
			fmt.Sprintf("token_revocation_triggers of %s changed (or is removed, or known only during apply), so this "+
				"apply revokes every access and refresh token issued to the app: each consumer's next call with one is "+
				"refused (401 Token has been revoked) until it gets a new token. The app and its secret are unchanged.",
				label))
	}
	if !plan.IsConfidential.IsUnknown() && !plan.IsConfidential.Equal(prior.IsConfidential) {
		resp.Diagnostics.AddAttributeWarning(path.Root("is_confidential"), "OAuth app will be replaced",
			fmt.Sprintf("PipesHub cannot change is_confidential of an existing app, so this apply deletes %s and creates "+
				"a new one: a new id, client_id and client_secret, which every consumer must be given. Deleting the app "+
				"revokes all of its tokens at once and cannot be undone.", label))
	}
	switch {
	case unfinished.suspendPending && plan.Status.ValueString() == client.StatusSuspended:
		// State already says "suspended"; an unknown updated_at makes the update that suspends it.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("updated_at"), types.StringUnknown())...)
		resp.Diagnostics.AddAttributeWarning(path.Root("status"), "OAuth app will be suspended",
			fmt.Sprintf("%s could not be suspended when it was created and is still active in PipesHub. "+
				"This apply suspends it: %s", label, suspendConsequence))
	case plan.Status.ValueString() == client.StatusSuspended && prior.Status.ValueString() != client.StatusSuspended:
		resp.Diagnostics.AddAttributeWarning(path.Root("status"), "OAuth app will be suspended",
			fmt.Sprintf("This apply suspends %s: %s", label, suspendConsequence))
	}
}

// suspendConsequence is what a suspension does to an app's consumers
// (internal/emulator/README.md §7, §10.3).
const suspendConsequence = "PipesHub then refuses it every new token (401 OAuth app is suspended); tokens issued " +
	"before keep working until they expire or are revoked (token_revocation_triggers revokes them)."
