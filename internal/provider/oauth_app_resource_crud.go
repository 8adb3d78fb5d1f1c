package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

func (r *oauthAppResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan oauthAppResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx), timeout)
	defer cancel()

	body := plan.createRequest(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := r.data.Client.CreateAppSafely(ctx, body)
	if err != nil {
		resp.Diagnostics.AddError("Cannot create OAuth app", r.data.createErrorDetail(err))
		return
	}
	ctx = r.data.MaskSecrets(ctx, created.ClientSecret)
	if created.Recovered {
		resp.Diagnostics.AddWarning("OAuth app recovered after a lost response",
			fmt.Sprintf("The answer to creating OAuth app %s was lost (%s), and its first client secret with it. Terraform "+
				"found the app this request created and adopted it; client_secret holds a newly regenerated secret.",
				created.ID, created.LostAnswer))
	}

	// Save the app (and its one-time secret) before anything else can fail.
	resp.Diagnostics.Append(setAppIdentity(ctx, resp.Identity, created.ID)...)
	state := plan
	resp.Diagnostics.Append(state.fromAPI(ctx, &created.App)...)
	state.ClientSecret = types.StringValue(created.ClientSecret)
	if created.SecretError != nil {
		state.ClientSecret = types.StringNull()
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSecretMissing, true)...)
		resp.Diagnostics.AddWarning("OAuth app created without a client secret",
			fmt.Sprintf("Terraform adopted OAuth app %s after its create answer was lost, but regenerating its secret "+
				"failed: %s\n\nclient_secret is null for now; the next plan shows it as known after apply, and the next "+
				"apply regenerates it.", created.ID, r.data.apiErrorDetail(created.SecretError)))
	}
	if plan.Status.ValueString() == client.StatusSuspended && state.Status.ValueString() != client.StatusSuspended {
		r.suspendCreated(ctx, &state, resp)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// suspendCreated suspends an app just created with status "suspended"
// (PipesHub creates apps active). A failure must not make Terraform replace
// the app, which an error at create would (the app would be tainted): the
// state keeps the planned status, a warning says the app is still active,
// and a private flag makes the next plan and apply suspend it.
func (r *oauthAppResource) suspendCreated(ctx context.Context, state *oauthAppResourceModel, resp *resource.CreateResponse) {
	if ctx.Err() != nil {
		// The create used up the timeout; the app must still be suspended.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), defaultReadTimeout)
		defer cancel()
	}
	app, err := r.data.Client.SuspendApp(ctx, state.ID.ValueString())
	if err == nil {
		resp.Diagnostics.Append(state.fromAPI(ctx, app)...)
		return
	}
	state.Status = types.StringValue(client.StatusSuspended)
	resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSuspendPending, true)...)
	resp.Diagnostics.AddWarning("OAuth app created but still active",
		fmt.Sprintf("PipesHub created OAuth app %s (saved in state with its secret), but suspending it failed: %s\n\n"+
			"The app is active in PipesHub until the next terraform apply, which suspends it; the next plan shows that "+
			"change. The app is not replaced.", state.ID.ValueString(), r.data.apiErrorDetail(err)))
}

func (r *oauthAppResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state oauthAppResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The identity { id } never changes; states written before it existed get it here.
	resp.Diagnostics.Append(setAppIdentity(ctx, resp.Identity, state.ID.ValueString())...)
	importing := r.takeImportingFlag(ctx, req.Private, resp)
	if r.data == nil {
		return // provider settings unknown until apply: keep the prior state
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx, state.ClientSecret.ValueString()), timeout)
	defer cancel()

	app, err := r.data.Client.GetApp(ctx, state.ID.ValueString())
	if client.IsNotFound(err) && importing {
		addImportNotFoundError(&resp.Diagnostics, state.ID.ValueString(), err)
		return
	}
	if client.IsNotFound(err) {
		resp.Diagnostics.AddWarning("OAuth app not found, removed from state",
			fmt.Sprintf("PipesHub has no OAuth app %s visible to this credential, so Terraform will plan to create it again. "+
				"Either it was deleted (outside Terraform, or by an earlier destroy whose answer was lost), or the provider "+
				"now uses a different credential "+
				"(PipesHub shows an app only to the user who created it).", state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read OAuth app", r.data.apiErrorDetail(err))
		return
	}
	if app.Status == client.StatusSuspended {
		// A suspend left pending at create has happened since (a late answer,
		// or outside Terraform): nothing is left to suspend.
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSuspendPending, false)...)
	}
	// client_secret, the triggers and the timeouts are Terraform's own: kept from state.
	resp.Diagnostics.Append(state.fromAPI(ctx, app)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update applies the plan in steps (partial PUT, status change, secret
// rotation, token revocation), each only when needed, and saves the state
// after each step so that a failure part-way leaves a truthful state.
func (r *oauthAppResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior oauthAppResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setAppIdentity(ctx, resp.Identity, prior.ID.ValueString())...) // Terraform < 1.12 plans none
	if r.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx, prior.ClientSecret.ValueString()), timeout)
	defer cancel()

	id := prior.ID.ValueString()
	state := prior
	state.Timeouts = plan.Timeouts
	save := func(app *client.App) bool {
		if app != nil {
			resp.Diagnostics.Append(state.fromAPI(ctx, app)...)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return !resp.Diagnostics.HasError()
	}

	body, changed := plan.updateRequest(ctx, &prior.oauthAppModel, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if changed {
		app, err := r.data.Client.UpdateApp(ctx, id, body)
		if err != nil {
			resp.Diagnostics.AddError(updateErrorSummary(err, "Cannot update OAuth app"), r.data.updateErrorDetail(id, err))
			return
		}
		if !save(app) {
			return
		}
	}

	// A status the create could not set, or a secret it could not get, is
	// settled now (see Create).
	suspendPending, secretMissing := privateFlags(ctx, req.Private, &resp.Diagnostics)
	if !plan.Status.Equal(prior.Status) || suspendPending && plan.Status.ValueString() == client.StatusSuspended {
		change := r.data.Client.ActivateApp
		if plan.Status.ValueString() == client.StatusSuspended {
			change = r.data.Client.SuspendApp
		}
		app, err := change(ctx, id)
		if err != nil {
			resp.Diagnostics.AddError(updateErrorSummary(err, "Cannot change the status of the OAuth app to "+plan.Status.ValueString()), r.data.updateErrorDetail(id, err))
			return
		}
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSuspendPending, false)...)
		if !save(app) {
			return
		}
	}

	if triggersChanged(plan.SecretRotationTriggers, prior.SecretRotationTriggers) || secretMissing {
		secret, err := r.data.Client.RegenerateSecret(ctx, id)
		if err != nil {
			resp.Diagnostics.AddError(updateErrorSummary(err, "Cannot regenerate the client secret"), r.data.updateErrorDetail(id, err))
			return
		}
		ctx = r.data.MaskSecrets(ctx, secret.ClientSecret)
		state.ClientSecret = types.StringValue(secret.ClientSecret)
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSecretMissing, false)...)
	}
	state.SecretRotationTriggers = plan.SecretRotationTriggers
	if !save(nil) {
		return
	}

	if triggersChanged(plan.TokenRevocationTriggers, prior.TokenRevocationTriggers) {
		if err := r.data.Client.RevokeAllTokens(ctx, id); err != nil {
			resp.Diagnostics.AddError(updateErrorSummary(err, "Cannot revoke the OAuth app's tokens"), r.data.updateErrorDetail(id, err))
			return
		}
	}
	state.TokenRevocationTriggers = plan.TokenRevocationTriggers
	save(nil)
}

func (r *oauthAppResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state oauthAppResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx, state.ClientSecret.ValueString()), timeout)
	defer cancel()

	err := r.data.Client.DeleteApp(ctx, state.ID.ValueString())
	if err != nil && !client.IsNotFound(err) { // already gone counts as deleted
		resp.Diagnostics.AddError("Cannot delete OAuth app", r.data.apiErrorDetail(err))
	}
}

// triggersChanged reports whether a trigger map changed between state and
// plan. Null and empty are the same (adding an empty map triggers nothing);
// an unknown plan value may change, so it counts as a change.
func triggersChanged(plan, state types.Map) bool {
	if plan.IsUnknown() {
		return true
	}
	if len(plan.Elements()) == 0 && len(state.Elements()) == 0 {
		return false
	}
	return !plan.Equal(state)
}
