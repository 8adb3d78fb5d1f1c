package provider

// A create whose answer was lost and whose recovery lookup also failed may
// or may not have made an app, and this run cannot tell. What it learned
// reaches the next run through state:
//
//   - Create saves a placeholder, id unsettledCreateID (never a PipesHub id,
//     which is 24 hexadecimal characters), with the planned attributes, its
//     computed ones null, no identity, and in private state what the create
//     sent and when (client.UnsettledCreate). It still fails, so Terraform
//     taints it.
//   - The next refresh settles it (readUnsettledCreate), because Read is the
//     one call that gets a tainted object's private state: Terraform plans
//     the replacement of a tainted object as a create from nothing, so the
//     Delete of that replacement gets no private state. Read looks for the
//     app the create made, as the create's own recovery does. Found, it
//     becomes the state (without a secret: the first one was lost with the
//     answer); the object is still tainted, so the apply replaces it:
//     deletes that app and creates the app anew, with a secret in state.
//     Terraform cannot be told to keep a tainted object, and a refresh must
//     not delete anything, so this is the way to end with one app and no
//     orphan. Not found (and no late create can come any more), the
//     placeholder leaves state and the apply creates the app. A failed
//     lookup, several candidates, or a create PipesHub may still apply fail
//     the refresh: the placeholder stays and nothing is created.
//   - Without a refresh (-refresh=false) the placeholder is replaced (also
//     when it is no longer tainted: ModifyPlan), and its Delete settles it,
//     deleting what it finds. Terraform hands that Delete no private state,
//     so the placeholder also keeps what the create sent and when in its
//     attributes: the planned ones, and created_at and updated_at, which for
//     a placeholder are when the create was sent and when it failed.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// unsettledCreateID is the id in state of a placeholder for a create that
// could not be settled.
const unsettledCreateID = "unsettled-create"

// privateUnsettledCreate: the placeholder's client.UnsettledCreate, as JSON
// (the request body, no secret, and the create's sent and failed times).
const privateUnsettledCreate = "unsettled_create"

// placeholderAttributes are the computed attributes a placeholder holds
// null, and its replacement plans unknown.
var placeholderAttributes = []string{"id", "client_id", "slug", "created_at", "updated_at", "client_secret"}

// saveUnsettledCreate saves the placeholder of a create that could not be
// settled, after Create has reported the error.
func (r *oauthAppResource) saveUnsettledCreate(ctx context.Context, plan oauthAppResourceModel, u *client.UnsettledCreate, resp *resource.CreateResponse) {
	record, err := json.Marshal(u)
	if err != nil {
		resp.Diagnostics.AddError("Cannot create OAuth app", "Cannot record the create to settle: "+err.Error())
		return
	}
	state := plan
	state.ID = types.StringValue(unsettledCreateID)
	state.ClientID, state.Slug, state.ClientSecret = types.StringNull(), types.StringNull(), types.StringNull()
	// Also in the attributes, which Terraform always hands back (see unsettledFromState).
	state.CreatedAt = types.StringValue(u.Sent.UTC().Format(time.RFC3339Nano))
	state.UpdatedAt = types.StringValue(u.Failed.UTC().Format(time.RFC3339Nano))
	// No identity: the app's id, once known, must be free to become it.
	resp.Diagnostics.Append(setPrivateCaller(ctx, resp.Private, r.data.caller)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateUnsettledCreate, record)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// unsettledRecord returns what a placeholder's create sent and when: the
// record in private state, or, when there is none, the same rebuilt from the
// placeholder's attributes. Terraform does not always hand private state
// back: the Delete of a replacement gets none, and when that Delete fails
// the object is saved without it. The attributes are the plan the create
// sent, created_at and updated_at when it was sent and when it failed; only
// whether PipesHub answered it is lost, so it is taken as unanswered (the
// lookup then also waits out a late create). False when neither is readable.
func unsettledRecord(ctx context.Context, private privateState, state *oauthAppResourceModel, diags *diag.Diagnostics) (client.UnsettledCreate, bool) {
	var u client.UnsettledCreate
	v, d := private.GetKey(ctx, privateUnsettledCreate)
	diags.Append(d...)
	if len(v) > 0 && json.Unmarshal(v, &u) == nil {
		return u, true
	}
	sent, err1 := time.Parse(time.RFC3339Nano, state.CreatedAt.ValueString())
	failed, err2 := time.Parse(time.RFC3339Nano, state.UpdatedAt.ValueString())
	if err1 != nil || err2 != nil {
		return u, false
	}
	var rebuilt diag.Diagnostics
	req := state.createRequest(ctx, &rebuilt)
	if rebuilt.HasError() {
		return u, false
	}
	return client.UnsettledCreate{Request: req, Sent: sent, Failed: failed}, true
}

// readUnsettledCreate is the refresh of a placeholder: it settles the create.
func (r *oauthAppResource) readUnsettledCreate(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, state *oauthAppResourceModel) {
	if r.data == nil {
		// Provider settings unknown until apply: keep the placeholder. A read
		// without error must return an identity.
		resp.Diagnostics.Append(setAppIdentity(ctx, resp.Identity, unsettledCreateID)...)
		return
	}
	u, ok := unsettledRecord(ctx, req.Private, state, &resp.Diagnostics)
	if !ok {
		addNoRecordError(&resp.Diagnostics, state.Name.ValueString())
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx), timeout)
	defer cancel()
	app, err := r.data.Client.FindUnsettledCreate(ctx, u)
	if err != nil {
		resp.Diagnostics.AddError("Cannot settle an earlier create of the OAuth app", r.data.unsettledErrorDetail(err, u.Request.Name))
		return
	}
	if app == nil {
		resp.Diagnostics.AddWarning("Earlier OAuth app create made no app",
			fmt.Sprintf("An earlier apply's create of OAuth app %q failed, and whether PipesHub had made the app could not "+
				"be looked up then. It made none, so the placeholder (id %q) leaves state and this apply creates the app.",
				u.Request.Name, unsettledCreateID))
		// A read without error must return an identity, even of an object it removes.
		resp.Diagnostics.Append(setAppIdentity(ctx, resp.Identity, unsettledCreateID)...)
		resp.State.RemoveResource(ctx)
		return
	}
	label := appLabel(app.Name, app.ID, app.ClientID)
	resp.Diagnostics.Append(setAppIdentity(ctx, resp.Identity, app.ID)...)
	resp.Diagnostics.Append(setPrivateCaller(ctx, resp.Private, r.data.caller)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateUnsettledCreate, nil)...)
	// Kept after terraform untaint, the app gets a secret from the next apply.
	resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateSecretMissing, true)...)
	resp.Diagnostics.Append(state.fromAPI(ctx, app)...)
	state.ClientSecret = types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.AddWarning("OAuth app made by a lost create found",
		fmt.Sprintf("An earlier apply's create of %s was applied by PipesHub, but its answer, with the app's only client "+
			"secret, was lost, and the app could not be looked up then; state held a placeholder (id %q). Terraform found "+
			"the app now, and it is in state, tainted, without a secret. Unless the app is untainted first "+
			"(terraform untaint ADDRESS, after which the apply keeps it and regenerates its secret), this apply replaces "+
			"it: it deletes the app, which nobody can be using without its secret, and creates it anew, with a new id, "+
			"client_id and client_secret in state. Nothing is duplicated or left behind.", label, unsettledCreateID))
}

// planUnsettledCreate makes the plan replace a placeholder that Terraform no
// longer holds as tainted (terraform untaint) and that no refresh has
// settled (-refresh=false): it is never taken for an app, and its Delete
// settles it. It reports whether the prior state is a placeholder.
func planUnsettledCreate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if id.ValueString() != unsettledCreateID {
		return false
	}
	for _, name := range placeholderAttributes {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
	}
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("id"))
	return true
}

// addNoRecordError explains a placeholder whose create cannot be looked for
// (a state edited by hand).
func addNoRecordError(diags *diag.Diagnostics, name string) {
	diags.AddError("Cannot settle an earlier create of the OAuth app",
		fmt.Sprintf("State holds a placeholder (id %q) for OAuth app %q, left by an apply whose create may or may not "+
			"have made the app, but not when that create was sent (created_at and updated_at), so Terraform cannot look "+
			"for the app. Check in PipesHub for an app named %q that nobody uses and delete it, then forget the "+
			"placeholder with terraform state rm ADDRESS (this resource's address) and apply. Nothing was created.",
			unsettledCreateID, name, name))
}

// settleUnsettledCreate is the Delete of a placeholder that no refresh has
// settled (-refresh=false, in a replacement or a destroy): it deletes the app
// the lost create made, if it made one, so that the replacement's create
// makes the only one.
func (r *oauthAppResource) settleUnsettledCreate(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse, state *oauthAppResourceModel) {
	name := state.Name.ValueString()
	u, ok := unsettledRecord(ctx, req.Private, state, &resp.Diagnostics)
	if !ok {
		addNoRecordError(&resp.Diagnostics, name)
		return
	}
	app, err := r.data.Client.FindUnsettledCreate(ctx, u)
	if err != nil {
		resp.Diagnostics.AddError("Cannot settle an earlier create of the OAuth app", r.data.unsettledErrorDetail(err, name))
		return
	}
	if app == nil {
		return // the create made nothing: the replacement creates the app
	}
	label := appLabel(app.Name, app.ID, app.ClientID)
	if err := r.data.Client.DeleteApp(ctx, app.ID); err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.AddError("Cannot delete OAuth app",
			fmt.Sprintf("%s is the app an earlier create made whose answer was lost; deleting it failed: %s\n\n"+
				"The placeholder stays in state and nothing was created; run terraform apply again.",
				label, r.data.apiErrorDetail(err)))
		return
	}
	resp.Diagnostics.AddWarning("OAuth app made by a lost create deleted",
		fmt.Sprintf("An earlier apply's create of %s was applied by PipesHub, but its answer, with the app's only "+
			"client secret, was lost, and the apply could not find the app then. Terraform found it now and deleted it, "+
			"so that it is not left behind unmanaged; the apply creates the app again, with a new id, client_id and "+
			"client_secret in state.", label))
}

// unsettledErrorDetail explains why a placeholder could not be settled.
func (d *providerData) unsettledErrorDetail(err error, name string) string {
	var b strings.Builder
	b.WriteString(d.apiErrorDetail(err))
	const stays = "\n\nThe placeholder stays in state and Terraform created nothing for it, so no app is duplicated. "
	var lost *client.LostCreateError
	if !errors.As(err, &lost) {
		b.WriteString(stays + "Run terraform apply again.")
		return b.String()
	}
	switch {
	case len(lost.Candidates) > 0:
		b.WriteString(stays + "Several apps match what the earlier create sent and were made while it was pending, so " +
			"Terraform deletes none of them: one may be another configuration's or person's. Delete in PipesHub those " +
			"that nobody uses (the one the lost create made has a client secret that nobody holds), then run terraform " +
			"apply again. If all of them are in use elsewhere, forget the placeholder instead, with terraform state rm " +
			"ADDRESS (this resource's address), and apply.")
	case !lost.RetryAfter.IsZero():
		b.WriteString(stays + "PipesHub never answered the earlier create, so it could still apply it: run terraform " +
			"apply again after the time above, when Terraform can tell.")
	default:
		fmt.Fprintf(&b, "%sRun terraform apply again once PipesHub answers normally; it looks again for an app named %q "+
			"made by the earlier create.", stays, name)
	}
	return b.String()
}
