package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/provider/validators"
)

var (
	_ resource.Resource                   = &oauthAppResource{}
	_ resource.ResourceWithConfigure      = &oauthAppResource{}
	_ resource.ResourceWithImportState    = &oauthAppResource{}
	_ resource.ResourceWithIdentity       = &oauthAppResource{}
	_ resource.ResourceWithModifyPlan     = &oauthAppResource{}
	_ resource.ResourceWithValidateConfig = &oauthAppResource{}
)

// Limits and defaults of PipesHub's create/update schema (internal/emulator/README.md §4, §5).
const (
	nameMaxLength               = 100
	descriptionMaxLength        = 500
	redirectURIsMax             = 10
	accessTokenLifetimeMin      = 300
	accessTokenLifetimeMax      = 86400
	accessTokenLifetimeDefault  = 3600
	refreshTokenLifetimeMin     = 3600
	refreshTokenLifetimeMax     = 31536000
	refreshTokenLifetimeDefault = 2592000
)

// Default timeouts of the resource's operations; each bounds every retry of its API calls.
const (
	defaultCreateTimeout = 5 * time.Minute
	defaultReadTimeout   = 2 * time.Minute
	defaultUpdateTimeout = 5 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
)

var grantTypes = []string{client.GrantAuthorizationCode, client.GrantClientCredentials, client.GrantRefreshToken}

func newOAuthAppResource() resource.Resource { return &oauthAppResource{} }

type oauthAppResource struct {
	data *providerData // nil until the provider is configured
}

// oauthAppResourceModel is the resource's state: the API-backed app plus what
// only Terraform knows (the one-time secret, the triggers, the timeouts).
type oauthAppResourceModel struct {
	oauthAppModel
	ClientSecret            types.String   `tfsdk:"client_secret"`
	SecretRotationTriggers  types.Map      `tfsdk:"secret_rotation_triggers"`
	TokenRevocationTriggers types.Map      `tfsdk:"token_revocation_triggers"`
	Timeouts                timeouts.Value `tfsdk:"timeouts"`
}

func (r *oauthAppResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_app"
}

func (r *oauthAppResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// oauthAppIdentityModel is the resource identity (Terraform 1.12 and later):
// the app's id alone. PipesHub's ids are Mongo ObjectIds, unique across the
// whole instance, so the id names one app unambiguously; whether the
// provider's credential may see it is a property of that credential (PipesHub
// shows an app only to its creator), not of the app, so the creator is not
// part of the identity, just as it is not part of the string import id.
type oauthAppIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

// privateImporting marks, in private state, an app that ImportState has just
// handed over and Read has not yet found: a 404 is then an import error that
// explains PipesHub's per-creator visibility, not a drift warning.
const privateImporting = "importing"

func (r *oauthAppResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description: "PipesHub's id of the app (24 hexadecimal characters, the id attribute), not its client_id. " +
					"Ids are unique across the PipesHub instance; PipesHub shows an app only to the user who created it, " +
					"so import with that user's bearer token.",
				RequiredForImport: true,
			},
		},
	}
}

// setAppIdentity sets the identity { id } (nil when the caller has none).
func setAppIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, oauthAppIdentityModel{ID: types.StringValue(id)})
}

// ImportState takes the app's id, as a string (terraform import, import
// blocks with id) or as the identity { id } (import blocks with identity,
// terraform query's generated import blocks). The string may also be the
// app's OAuth client id (a UUID), which the app's consumers know: it is
// resolved to the id by walking the caller's apps (client.FindAppByClientID),
// and the import goes on with the id. The identity stays the id alone. Any
// other value is refused before any API call. The import is marked so that
// Read, which fetches the app, turns a 404 into an error that says why
// PipesHub may hide an existing app.
func (r *oauthAppResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	switch {
	case id == "" && req.Identity != nil:
		var identity oauthAppIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		id = identity.ID.ValueString()
		if !client.AppIDPattern.MatchString(id) {
			resp.Diagnostics.AddError("Invalid import identity",
				fmt.Sprintf("%q is not a PipesHub OAuth app id. The identity takes the app's id only, 24 hexadecimal "+
					"characters (the id attribute of the pipeshub_oauth_apps data source), not its client_id. To import "+
					"by client_id, give it as the import ID instead: the id argument of the import block, or "+
					"terraform import ADDRESS CLIENT_ID.", id))
			return
		}
	case client.ClientIDPattern.MatchString(id):
		if id = r.importedAppID(ctx, id, &resp.Diagnostics); id == "" {
			return
		}
	case !client.AppIDPattern.MatchString(id):
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("%q is neither a PipesHub OAuth app id, 24 hexadecimal characters (the id attribute), nor an "+
				"OAuth client id, a UUID in lower case (the client_id attribute). Import an app by either, such as\n"+
				"  terraform import pipeshub_oauth_app.example 665f1c2ab0d3e4f5a6b7c8d9\n"+
				"  terraform import pipeshub_oauth_app.example f781997b-c958-4808-a804-5eef2f8102c2\n"+
				"or with the same value as the id argument of an import block.", id))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(setAppIdentity(ctx, resp.Identity, id)...)
	resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateImporting, true)...)
}

// importedAppID returns the id of the caller's app whose OAuth client id is
// clientID, or "" with the reason in diags. PipesHub cannot look an app up by
// client id, so this reads the caller's apps up to the page that has it
// (internal/emulator/README.md §5.1), within the read timeout's default.
func (r *oauthAppResource) importedAppID(ctx context.Context, clientID string, diags *diag.Diagnostics) string {
	if r.data == nil {
		addNotConfiguredError(diags)
		return ""
	}
	ctx, cancel := context.WithTimeout(r.data.MaskSecrets(ctx), defaultReadTimeout)
	defer cancel()
	app, err := r.data.Client.FindAppByClientID(ctx, clientID)
	switch {
	case client.IsNotFound(err):
		addImportNotFoundError(diags, fmt.Sprintf("with client_id %q", clientID), err)
		return ""
	case err != nil:
		diags.AddError(apiErrorSummary(err, "Cannot import OAuth app"), r.data.apiErrorDetail(err))
		return ""
	}
	return app.ID
}

// takeImportingFlag reports whether ImportState marked this read, and clears
// the mark: only the read that follows the import may fail for a 404.
func (r *oauthAppResource) takeImportingFlag(ctx context.Context, req privateState, resp *resource.ReadResponse) bool {
	v, diags := req.GetKey(ctx, privateImporting)
	resp.Diagnostics.Append(diags...)
	if v == nil {
		return false
	}
	resp.Diagnostics.Append(setPrivateFlag(ctx, resp.Private, privateImporting, false)...)
	return string(v) == "true"
}

// addImportNotFoundError explains an import of an app the credential cannot
// see: a 404 on the read that follows an import by id, or a client id that
// none of the caller's listed apps has. app names what was imported (the id,
// or `with client_id "..."`). To anyone but its creator, an existing app looks
// exactly like a missing one (internal/emulator/README.md §2).
func addImportNotFoundError(diags *diag.Diagnostics, app string, err error) {
	diags.AddError("Cannot import OAuth app: not visible to this credential",
		fmt.Sprintf("%s\n\nPipesHub has no OAuth app %s visible to the provider's credential, so there is nothing to import. "+
			"PipesHub shows an app only to the user who created it: to any other user, admins of the same organisation "+
			"included, an existing app is hidden exactly as a deleted one is (a 404, and absent from the list of apps). "+
			"So one of these holds:\n"+
			"  - another user created the app: import it with that user's bearer token (bearer_auth in the provider block, "+
			"or PIPESHUB_BEARER_AUTH), the credential that will manage it from now on;\n"+
			"  - the app was deleted (a deleted app cannot be read or restored through the API);\n"+
			"  - the id or client id is wrong: with the creator's token, the pipeshub_oauth_apps data source (or terraform "+
			"query with the pipeshub_oauth_app list resource) lists the ids of that user's apps, and the data source their "+
			"client ids.", err, app))
}

func (r *oauthAppResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	plain := validators.PlainText()
	resp.Schema = schema.Schema{
		MarkdownDescription: "A PipesHub OAuth app (OAuth client) owned by the provider's user. PipesHub shows an app " +
			"only to the user who created it, so manage each app with one credential: a refresh that finds the app " +
			"gone stops with an error unless the credential is that of the user who created it (the provider records " +
			"that user in private state), so a changed credential never plans to create a second copy of every app.\n\n" +
			"The client secret is returned by PipesHub only when the app is created or its secret is regenerated: it is " +
			"stored (sensitive) in state, it is null after an import, and `secret_rotation_triggers` gets a new one.\n\n" +
			"The [rotating client secrets guide](../guides/rotating-client-secrets.md) shows how to roll a rotation out.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "PipesHub's id of the app (24 hexadecimal characters); the import ID, as is the `client_id`. " +
					"After a create whose answer was lost and whose app could not be looked up, `" + unsettledCreateID + "`: a " +
					"tainted placeholder, with no `client_id` or `client_secret`, whose `created_at` and `updated_at` are when that " +
					"create was sent and when it failed, and that the next apply settles (see " +
					"[What happens when things fail](../guides/when-things-fail.md#when-the-lookup-fails-too)).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "OAuth `client_id` of the app (a UUID). Never changes. Also accepted as the import ID " +
					"(`terraform import`, or `id` in an import block): the provider finds the app among the credential's apps " +
					"and imports it by its `id`.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"slug": schema.StringAttribute{
				MarkdownDescription: "Unique slug PipesHub gives the app, such as `oauthapp-12`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Display name, 1 to %d characters (counted as JavaScript does, so most "+
					"emoji count twice), with no whitespace at either end (tabs, line breaks, no-break and other Unicode "+
					"spaces, U+FEFF) and no HTML, `<` or `>`, which PipesHub would trim, escape or refuse. Not unique in "+
					"PipesHub. Changes in place.", nameMaxLength),
				Required:   true,
				Validators: []validator.String{validators.Length(1, nameMaxLength), plain},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Description, 1 to %d characters, with the same text rules as `name`. "+
					"Changes in place; removing it clears the description in PipesHub.", descriptionMaxLength),
				Optional:   true,
				Validators: []validator.String{validators.Length(1, descriptionMaxLength), plain},
			},
			"redirect_uris": schema.SetAttribute{
				MarkdownDescription: fmt.Sprintf("Allowed OAuth redirect URIs, at most %d. Each must be an `https` URL, "+
					"a URL on host `localhost` or `127.0.0.1` (any scheme and port), or `%s`, and must not carry a "+
					"`#fragment`. At least one is required while `allowed_grant_types` contains `authorization_code`. "+
					"Defaults to none. Changes in place.", redirectURIsMax, validators.CursorRedirectURI),
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
				Validators: []validator.Set{
					setvalidator.SizeAtMost(redirectURIsMax),
					setvalidator.ValueStringsAre(validators.RedirectURI(), plain),
				},
			},
			"allowed_scopes": schema.SetAttribute{
				MarkdownDescription: "Scopes the app may request, at least one, such as `openid` or `kb:read`. Checked at " +
					"plan time against the scopes the provider's user may grant (see the `pipeshub_oauth_scopes` data " +
					"source; admin-only scopes need an admin). Changes in place.",
				ElementType: types.StringType,
				Required:    true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1), plain),
				},
			},
			"allowed_grant_types": schema.SetAttribute{
				MarkdownDescription: "OAuth grant types the app may use, at least one of `" + strings.Join(grantTypes, "`, `") +
					"`. Defaults to `authorization_code` and `refresh_token`. Changes in place.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default: setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{
					types.StringValue(client.GrantAuthorizationCode), types.StringValue(client.GrantRefreshToken),
				})),
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(grantTypes...)),
				},
			},
			"homepage_url":         urlAttribute("Homepage of the application"),
			"privacy_policy_url":   urlAttribute("Privacy policy of the application"),
			"terms_of_service_url": urlAttribute("Terms of service of the application"),
			"is_confidential": schema.BoolAttribute{
				MarkdownDescription: "Whether the app is a confidential client (a server that can keep its secret) rather " +
					"than a public one. Defaults to `true`. PipesHub cannot change it after creation, so a change **replaces** " +
					"the app (new id, client id and secret).",
				Optional:      true,
				Computed:      true,
				Default:       booldefault.StaticBool(true),
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"access_token_lifetime": tokenLifetimeAttribute("access", accessTokenLifetimeMin, accessTokenLifetimeMax,
				accessTokenLifetimeDefault, "1 hour", " Changes in place; tokens already issued keep their lifetime."),
			"refresh_token_lifetime": tokenLifetimeAttribute("refresh", refreshTokenLifetimeMin, refreshTokenLifetimeMax,
				refreshTokenLifetimeDefault, "30 days", " Changes in place."),
			"status": schema.StringAttribute{
				MarkdownDescription: "`active` or `suspended`. Defaults to `active`. Changes in place: a suspended app " +
					"cannot obtain new tokens, but tokens issued before stay valid until they expire or are revoked " +
					"(see `token_revocation_triggers`). An app created as `suspended` is created active, saved to state " +
					"with its secret, then suspended; if that last call fails, the apply warns that the app is still " +
					"active, and the next plan and apply suspend it (the app is never replaced for it).",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(client.StatusActive),
				Validators: []validator.String{stringvalidator.OneOf(client.StatusActive, client.StatusSuspended)},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the app was created (RFC 3339, UTC, with milliseconds).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the app was last changed (RFC 3339, UTC, with milliseconds). Known after apply whenever the plan changes the app.",
				Computed:            true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "OAuth client secret (64 hexadecimal characters), **sensitive**. PipesHub shows a " +
					"secret only in its answer to the create and to a regeneration, and never again: Terraform saves " +
					"that answer in state, and a refresh leaves it as it is, since PipesHub cannot be asked for it. " +
					"It is null after an import until `secret_rotation_triggers` changes (the import warns about it " +
					"once), and null after a create whose answer was lost and whose secret could not be " +
					"regenerated, in which case the next apply regenerates it. When a refresh finds that the secret " +
					"was regenerated outside Terraform (the app's `updated_at` moved, and PipesHub's token endpoint " +
					"refuses the secret in state), it is null too, and the next apply regenerates it, with a warning.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret_rotation_triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary map of strings; when its value changes (not at creation), the next apply " +
					"regenerates the client secret of the same app (no replacement) and stores the new one in " +
					"`client_secret`. PipesHub invalidates the old secret **at once**. Feed it, for example, from a " +
					"`time_rotating` resource to rotate on a schedule, or set any value to give an imported app a secret.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"token_revocation_triggers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary map of strings; when its value changes (not at creation), the next apply " +
					"revokes every access and refresh token issued to the app. The app and its secret are unchanged.",
				ElementType: types.StringType,
				Optional:    true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": describedBlock(timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: fmt.Sprintf("Bound on creating the app, retries included (a duration such as `\"10m\"`; default `%s`).", defaultCreateTimeout),
				ReadDescription:   fmt.Sprintf("Bound on reading the app, retries included (default `%s`).", defaultReadTimeout),
				UpdateDescription: fmt.Sprintf("Bound on updating the app, retries included (default `%s`).", defaultUpdateTimeout),
				DeleteDescription: fmt.Sprintf("Bound on deleting the app, retries included (default `%s`).", defaultDeleteTimeout),
			}), "How long each operation on the app may take, retries and waits for PipesHub's rate limit included, "+
				"before it fails. Each is a duration such as `\"90s\"` or `\"10m\"`; an operation left out keeps its default."),
		},
	}
}

// describedBlock gives a block from a helper package (which sets none) its
// description.
func describedBlock(b schema.Block, description string) schema.Block {
	if nested, ok := b.(schema.SingleNestedBlock); ok {
		nested.MarkdownDescription = description
		return nested
	}
	return b
}

func urlAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: what + ": an absolute URL as browsers parse it (WHATWG URL), such as " +
			"`https://example.com/page`; a port must be at most 65535. Changes in place; removing it clears the URL in PipesHub.",
		Optional:   true,
		Validators: []validator.String{validators.AbsoluteURL(), validators.PlainText()},
	}
}

// tokenLifetimeAttribute is access_token_lifetime or refresh_token_lifetime:
// seconds within PipesHub's range, defaulting to PipesHub's default.
func tokenLifetimeAttribute(kind string, minimum, maximum, def int64, defMeaning, changes string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: fmt.Sprintf("Lifetime of %s tokens in seconds, %d to %d. Defaults to `%d` (%s).%s",
			kind, minimum, maximum, def, defMeaning, changes),
		Optional:   true,
		Computed:   true,
		Default:    int64default.StaticInt64(def),
		Validators: []validator.Int64{int64validator.Between(minimum, maximum)},
	}
}
