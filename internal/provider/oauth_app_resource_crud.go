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
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx), timeout)
	defer cancel()

	body := plan.createRequest(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	created := r.createApp(ctx, body, &resp.Diagnostics)
	if created == nil {
		return
	}
	ctx = r.data.MaskSecrets(ctx, created.ClientSecret)

	// Save the app (and its one-time secret) before anything else can fail.
	state := plan
	resp.Diagnostics.Append(state.fromAPI(ctx, &created.App)...)
	state.ClientSecret = types.StringValue(created.ClientSecret)
	if created.ClientSecret == "" {
		state.ClientSecret = types.StringNull()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if plan.Status.ValueString() == client.StatusSuspended && state.Status.ValueString() != client.StatusSuspended {
		app, err := r.data.Client.SuspendApp(ctx, state.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("OAuth app created but not suspended",
				fmt.Sprintf("PipesHub created OAuth app %s (saved in state with its secret) but suspending it failed: %s\n\n"+
					"Terraform marks the app as tainted, so the next apply replaces it.", state.ID.ValueString(), err))
			return
		}
		resp.Diagnostics.Append(state.fromAPI(ctx, app)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}

func (r *oauthAppResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state oauthAppResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil {
		return // provider settings unknown until apply: keep the prior state
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx, state.ClientSecret.ValueString()), timeout)
	defer cancel()

	app, err := r.data.Client.GetApp(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		resp.Diagnostics.AddWarning("OAuth app not found, removed from state",
			fmt.Sprintf("PipesHub has no OAuth app %s visible to this credential, so Terraform will plan to create it again. "+
				"Either it was deleted outside Terraform, or the provider now uses a different credential "+
				"(PipesHub shows an app only to the user who created it).", state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read OAuth app", err.Error())
		return
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
	if r.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
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
			resp.Diagnostics.AddError("Cannot update OAuth app", err.Error())
			return
		}
		if !save(app) {
			return
		}
	}

	if !plan.Status.Equal(prior.Status) {
		change := r.data.Client.ActivateApp
		if plan.Status.ValueString() == client.StatusSuspended {
			change = r.data.Client.SuspendApp
		}
		app, err := change(ctx, id)
		if err != nil {
			resp.Diagnostics.AddError("Cannot change the status of the OAuth app to "+plan.Status.ValueString(), err.Error())
			return
		}
		if !save(app) {
			return
		}
	}

	if triggersChanged(plan.SecretRotationTriggers, prior.SecretRotationTriggers) {
		secret, err := r.data.Client.RegenerateSecret(ctx, id)
		if err != nil {
			resp.Diagnostics.AddError("Cannot regenerate the client secret", err.Error())
			return
		}
		ctx = r.data.MaskSecrets(ctx, secret.ClientSecret)
		state.ClientSecret = types.StringValue(secret.ClientSecret)
	}
	state.SecretRotationTriggers = plan.SecretRotationTriggers
	if !save(nil) {
		return
	}

	if triggersChanged(plan.TokenRevocationTriggers, prior.TokenRevocationTriggers) {
		if err := r.data.Client.RevokeAllTokens(ctx, id); err != nil {
			resp.Diagnostics.AddError("Cannot revoke the OAuth app's tokens", err.Error())
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
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx, state.ClientSecret.ValueString()), timeout)
	defer cancel()

	err := r.data.Client.DeleteApp(ctx, state.ID.ValueString())
	if err != nil && !client.IsNotFound(err) { // already gone counts as deleted
		resp.Diagnostics.AddError("Cannot delete OAuth app", err.Error())
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
