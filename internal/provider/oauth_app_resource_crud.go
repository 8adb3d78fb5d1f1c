package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

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
	r.data.beforeWrite()
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
		var lost *client.LostCreateError
		if errors.As(err, &lost) && lost.Unsettled != nil {
			// What this run learned must reach the next, which settles it.
			r.saveUnsettledCreate(ctx, plan, lost.Unsettled, resp)
		}
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
	resp.Diagnostics.Append(setPrivateCaller(ctx, resp.Private, r.data.caller)...)
	if created.Recovered && created.SecretError == nil {
		// The adopted app's secret was regenerated after it was read.
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateUpdatedAtStale, true)...)
	}
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
	writtenFrom := &created.App
	if plan.Status.ValueString() == client.StatusSuspended && state.Status.ValueString() != client.StatusSuspended {
		writtenFrom = r.suspendCreated(ctx, &state, resp)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setPrivateReadFrom(ctx, resp.Private, r.data.version, writtenFrom)...)
}

// suspendCreated suspends an app just created with status "suspended"
// (PipesHub creates apps active). A failure must not make Terraform replace
// the app, which an error at create would (the app would be tainted): the
// state keeps the planned status, a warning says the app is still active,
// and a private flag makes the next plan and apply suspend it. It returns the
// suspended app state was written from, nil when suspending failed.
func (r *oauthAppResource) suspendCreated(ctx context.Context, state *oauthAppResourceModel, resp *resource.CreateResponse) *client.App {
	if ctx.Err() != nil {
		// The create used up the timeout; the app must still be suspended.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), defaultReadTimeout)
		defer cancel()
	}
	app, err := r.data.Client.SuspendApp(ctx, state.ID.ValueString())
	if err == nil {
		resp.Diagnostics.Append(state.fromAPI(ctx, app)...)
		return app
	}
	state.Status = types.StringValue(client.StatusSuspended)
	resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSuspendPending, true)...)
	resp.Diagnostics.AddWarning("OAuth app created but still active",
		fmt.Sprintf("PipesHub created OAuth app %s (saved in state with its secret), but suspending it failed: %s\n\n"+
			"The app is active in PipesHub until the next terraform apply, which suspends it; the next plan shows that "+
			"change. The app is not replaced.", state.ID.ValueString(), r.data.apiErrorDetail(err)))
	return nil
}

func (r *oauthAppResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	in := getReadInputs(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if in.ID.ValueString() == unsettledCreateID {
		var state oauthAppResourceModel
		if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); !resp.Diagnostics.HasError() {
			r.readUnsettledCreate(ctx, req, resp, &state)
		}
		return
	}
	// The identity { id } never changes; states written before it existed get it here.
	resp.Diagnostics.Append(setAppIdentity(ctx, resp.Identity, in.ID.ValueString())...)
	importing := r.takeImportingFlag(ctx, req.Private, resp)
	if r.data == nil {
		return // provider settings unknown until apply: keep the prior state
	}
	timeout, diags := in.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx, in.ClientSecret.ValueString()), timeout)
	defer cancel()

	// What the GET would answer; when this process reads many apps, served
	// from pages of the caller's apps (client.PagedReads). An app missing
	// from them is read by GET, whose 404 readNotFound judges.
	place := privateListingPlace(ctx, req.Private, &resp.Diagnostics)
	app, learned, err := r.data.readApp(ctx, in.ID.ValueString(), in.CreatedAt.ValueString(), place)
	if client.IsNotFound(err) && importing {
		addImportNotFoundError(&resp.Diagnostics, in.ID.ValueString(), err)
		return
	}
	if client.IsNotFound(err) {
		var state oauthAppResourceModel
		if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); !resp.Diagnostics.HasError() {
			r.readNotFound(ctx, req, resp, &state)
		}
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read OAuth app", r.data.apiErrorDetail(err))
		return
	}
	// This credential sees the app, so its user owns it.
	resp.Diagnostics.Append(setPrivateCaller(ctx, resp.Private, r.data.caller)...)
	if learned != place {
		resp.Diagnostics.Append(setPrivateListingPlace(ctx, resp.Private, learned)...)
	}
	if app.Status == client.StatusSuspended {
		// A suspend left pending at create has happened since (a late answer,
		// or outside Terraform): nothing is left to suspend.
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSuspendPending, false)...)
	}
	if !importing && stateHolds(ctx, req.Private, r.data.version, app, &resp.Diagnostics) {
		// PipesHub's object is the one state was written from: the prior
		// state, which resp.State starts as, is the answer. Converting it
		// both ways would be most of a paged refresh's CPU.
		return
	}

	var state oauthAppResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if importing {
		resp.Diagnostics.AddWarning("Imported OAuth app has no client secret in Terraform",
			fmt.Sprintf("PipesHub returns a client secret only when an app is created or its secret is regenerated, so "+
				"client_secret of the imported %s is null, and stays null: later plans do not repeat this. The app's "+
				"consumers keep the secret they have. To have Terraform hold a secret, set or change "+
				"secret_rotation_triggers; PipesHub then replaces the current secret at once.", appLabel(app.Name, app.ID, app.ClientID)))
	}
	r.checkSecretStillWorks(ctx, req, resp, &state, app)
	// client_secret, the triggers and the timeouts are Terraform's own: kept from state.
	resp.Diagnostics.Append(state.fromAPI(ctx, app)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setPrivateReadFrom(ctx, resp.Private, r.data.version, app)...)
}

// readInputs is what Read needs from state before it asks PipesHub, got
// attribute by attribute: converting the whole state costs more than the
// rest of a refresh served from a page, and a refresh that finds the app
// unchanged needs nothing more.
type readInputs struct {
	ID, CreatedAt, ClientSecret types.String
	Timeouts                    timeouts.Value
}

func getReadInputs(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics) readInputs {
	var in readInputs
	diags.Append(state.GetAttribute(ctx, path.Root("id"), &in.ID)...)
	diags.Append(state.GetAttribute(ctx, path.Root("created_at"), &in.CreatedAt)...)
	diags.Append(state.GetAttribute(ctx, path.Root("client_secret"), &in.ClientSecret)...)
	diags.Append(state.GetAttribute(ctx, path.Root("timeouts"), &in.Timeouts)...)
	return in
}

// readNotFound handles a 404 for an app in state. PipesHub answers 404 both
// for a deleted app and for anyone else's (internal/emulator/README.md §2),
// so only the app's recorded owner may take it for a deletion, which the
// plan then shows as a create. Any other credential (a personal access token
// renewed by someone else, a new automation user) would otherwise plan a
// second copy of every app while the originals keep working unmanaged: that
// is an error, reported in full once per run since every app has the cause.
func (r *oauthAppResource) readNotFound(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, state *oauthAppResourceModel) {
	owner := privateCaller(ctx, req.Private, &resp.Diagnostics)
	same, certain := owner.Same(r.data.caller)
	label := appLabel(state.Name.ValueString(), state.ID.ValueString(), state.ClientID.ValueString())
	if same {
		resp.Diagnostics.AddWarning("OAuth app deleted outside Terraform",
			fmt.Sprintf("PipesHub answers 404 for %s to the user who created it (%s): it was deleted outside Terraform, "+
				"or by an earlier destroy whose answer was lost. PipesHub cannot restore it, so Terraform plans to "+
				"create a new app, with a new id, client_id and client_secret that its consumers must be given.",
				label, owner))
		resp.State.RemoveResource(ctx)
		return
	}
	if !r.data.problems.firstTime(causeInvisibleApps) {
		return // the first such app's error says it all, and fails the run; state is kept as it was
	}
	// Said once per run: a read of every app has the same cause.
	const stop = " Terraform stops rather than plan to create a second copy of the app while the original keeps " +
		"working with nobody managing it. The same holds for every other app of this configuration that this " +
		"credential cannot see; they are not listed again."
	switch {
	case certain:
		resp.Diagnostics.AddError("Cannot read OAuth app: another PipesHub user's credential",
			fmt.Sprintf("%s was created by %s, and the provider's bearer_auth now acts as %s.", label, owner, r.data.caller)+stop+invisibleAppFix)
	case !owner.Known():
		resp.Diagnostics.AddError("Cannot read OAuth app: not visible to this credential",
			fmt.Sprintf("The provider's bearer_auth, acting as %s, cannot see %s, and Terraform cannot tell why: the "+
				"state records no owner for the app (it was last refreshed by a provider version that kept none).",
				r.data.caller, label)+stop+invisibleAppFix)
	default:
		resp.Diagnostics.AddError("Cannot read OAuth app: not visible to this credential",
			fmt.Sprintf("The provider's bearer_auth, acting as %s, cannot see %s, created by %s, and Terraform cannot "+
				"tell whether they are the same user (one of the two tokens names no user).", r.data.caller, label, owner)+stop+invisibleAppFix)
	}
}

// invisibleAppFix explains an app in state that answers 404 to a credential
// other than its owner's, and what to do.
const invisibleAppFix = "\n\nPipesHub shows an app only to the user who created it: to anyone else an existing app answers " +
	"the same 404 as a deleted one.\n\n" +
	"To fix it:\n" +
	"  - run with a token of the user who created the apps (bearer_auth in the provider block, or " +
	envBearerAuth + "); a renewed personal access token of that same user works;\n" +
	"  - if that user was deleted, PipesHub's API cannot manage its apps any more: remove them from state " +
	"(terraform state rm) and create new ones as the new user;\n" +
	"  - if this app really was deleted, let Terraform forget it deliberately: terraform state rm ADDRESS " +
	"(the pipeshub_oauth_app resource that holds this id, or a removed block), and the next apply creates a new " +
	"app, with a new client_id and client_secret."

// checkSecretStillWorks notices a client secret regenerated outside
// Terraform, which PipesHub's app object does not show: only its updated_at
// moves. When it moved without Terraform's doing, and Terraform holds a
// secret of an active app, the token endpoint is asked whether that secret
// still works (one request, no token issued; a suspended app is refused
// before the secret is compared, so it cannot be asked). A secret that no
// longer works leaves state, and the next plan regenerates one.
func (r *oauthAppResource) checkSecretStillWorks(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, state *oauthAppResourceModel, app *client.App) {
	if privateFlag(ctx, req.Private, privateUpdatedAtStale, &resp.Diagnostics) {
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateUpdatedAtStale, false)...)
		return
	}
	if state.ClientSecret.IsNull() || state.UpdatedAt.IsNull() || state.UpdatedAt.ValueString() == app.UpdatedAt ||
		app.Status != client.StatusActive {
		return
	}
	works, err := r.data.Client.ClientSecretWorks(ctx, app.ClientID, state.ClientSecret.ValueString())
	if err != nil {
		// Not knowing is no reason to fail the refresh: the next one that
		// sees a change asks again.
		tflog.Warn(ctx, "cannot check whether the client secret in state still works", map[string]any{"id": app.ID, "error": err.Error()})
		return
	}
	if !works {
		state.ClientSecret = types.StringNull()
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSecretReplaced, true)...)
	}
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
	r.data.beforeWrite()
	// The next refresh converts the app again, whatever this update sends.
	resp.Diagnostics.Append(setPrivateReadFrom(ctx, resp.Private, r.data.version, nil)...)
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
	unfinished := privateFlags(ctx, req.Private, &resp.Diagnostics)
	if !plan.Status.Equal(prior.Status) || unfinished.suspendPending && plan.Status.ValueString() == client.StatusSuspended {
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

	if triggersChanged(plan.SecretRotationTriggers, prior.SecretRotationTriggers) || unfinished.regenerateSecret() {
		secret, err := r.data.Client.RegenerateSecret(ctx, id)
		if err != nil {
			resp.Diagnostics.AddError(updateErrorSummary(err, "Cannot regenerate the client secret"), r.data.updateErrorDetail(id, err))
			return
		}
		ctx = r.data.MaskSecrets(ctx, secret.ClientSecret)
		state.ClientSecret = types.StringValue(secret.ClientSecret)
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSecretMissing, false)...)
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSecretReplaced, false)...)
		resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateUpdatedAtStale, true)...)
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
	r.data.beforeWrite()
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx, state.ClientSecret.ValueString()), timeout)
	defer cancel()

	if state.ID.ValueString() == unsettledCreateID {
		r.settleUnsettledCreate(ctx, req, resp, &state)
		return
	}
	err := r.data.Client.DeleteApp(ctx, state.ID.ValueString())
	switch {
	case client.IsNotFound(err):
		// Already gone counts as deleted, but only to the app's owner: to
		// anyone else (a destroy with -refresh=false and a swapped token)
		// the app may live on, and dropping it from state would orphan it.
		owner := privateCaller(ctx, req.Private, &resp.Diagnostics)
		if same, _ := owner.Same(r.data.caller); !same {
			resp.Diagnostics.AddError("Cannot delete OAuth app: not visible to this credential",
				fmt.Sprintf("PipesHub answers 404 for %s to the provider's bearer_auth, acting as %s, and the app was "+
					"created by %s: it may still exist, so Terraform keeps it in state.",
					appLabel(state.Name.ValueString(), state.ID.ValueString(), state.ClientID.ValueString()),
					r.data.caller, owner)+invisibleAppFix)
		}
	case err != nil:
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
