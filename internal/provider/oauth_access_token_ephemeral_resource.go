package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

var (
	_ ephemeral.EphemeralResource              = (*oauthAccessTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*oauthAccessTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*oauthAccessTokenEphemeralResource)(nil)
)

// newOAuthAccessTokenEphemeralResource returns the pipeshub_oauth_access_token
// ephemeral resource: a client_credentials access token, never stored.
func newOAuthAccessTokenEphemeralResource() ephemeral.EphemeralResource {
	return &oauthAccessTokenEphemeralResource{}
}

type oauthAccessTokenEphemeralResource struct {
	data *providerData
}

type oauthAccessTokenModel struct {
	ClientID      types.String `tfsdk:"client_id"`
	ClientSecret  types.String `tfsdk:"client_secret"`
	Scopes        types.Set    `tfsdk:"scopes"`
	RevokeOnClose types.Bool   `tfsdk:"revoke_on_close"`
	AccessToken   types.String `tfsdk:"access_token"`
	TokenType     types.String `tfsdk:"token_type"`
	ExpiresIn     types.Int64  `tfsdk:"expires_in"`
	ExpiresAt     types.String `tfsdk:"expires_at"`
	Scope         types.String `tfsdk:"scope"`
	GrantedScopes types.List   `tfsdk:"granted_scopes"`
}

// clientIDPattern: HTTP Basic authentication cannot carry a colon in the user name.
var clientIDPattern = regexp.MustCompile(`^[^:]+$`)

// scopeTokenPattern: PipesHub splits the scope parameter on whitespace, so a
// scope holding a space would silently become two.
var scopeTokenPattern = regexp.MustCompile(`^\S+$`)

func (r *oauthAccessTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_access_token"
}

func (r *oauthAccessTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Obtains an OAuth access token for a PipesHub OAuth app with the `client_credentials` grant " +
			"(`POST /api/v1/oauth2/token`). Requires Terraform 1.10 or later. The token is never stored in the plan or " +
			"the state: use it to check, in the same run, that a new app can authenticate, or to hand a short-lived token " +
			"to another provider. A new token is issued each time Terraform opens the resource (in plan and again in apply), " +
			"and by default revoked (`POST /api/v1/oauth2/revoke`) when Terraform closes it at the end of that phase; " +
			"see `revoke_on_close`.\n\n" +
			"The app must be `active` and have `client_credentials` in its `allowed_grant_types`. PipesHub's refusals " +
			"come back as errors with its OAuth error code and description, for example `invalid_client: OAuth app is " +
			"suspended`, `unsupported_grant_type` or `invalid_scope`.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The app's OAuth client id, for example `pipeshub_oauth_app.x.client_id`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(clientIDPattern, "must be an OAuth client id: not empty, no colon")},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The app's client secret, for example `pipeshub_oauth_app.x.client_secret`. " +
					"Sent with HTTP Basic authentication to the token endpoint and in the form body to the revoke endpoint; never logged.",
				Required:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "The scopes to request; each must be one of the app's `allowed_scopes`. " +
					"Unset means all of the app's allowed scopes. PipesHub drops `openid`, `profile`, `email` and " +
					"`offline_access` from a client_credentials token; see `granted_scopes` for what was granted.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(scopeTokenPattern, "must be one scope name, without spaces")),
				},
			},
			"revoke_on_close": schema.BoolAttribute{
				MarkdownDescription: "Whether to revoke the token when Terraform closes the ephemeral resource, at the end of " +
					"the plan or apply phase that opened it, so that it does not stay valid for the rest of its lifetime. " +
					"Defaults to `true`. Set `false` when the token must outlive the run, for example when it is handed to " +
					"something that keeps it. A failed revocation is a warning, not an error: the token expires anyway.",
				Optional: true,
			},
			"access_token": schema.StringAttribute{
				MarkdownDescription: "The access token (a JWT), to send as `Authorization: Bearer <token>`.",
				Computed:            true,
				Sensitive:           true,
			},
			"token_type": schema.StringAttribute{
				MarkdownDescription: "The token type, `Bearer`.",
				Computed:            true,
			},
			"expires_in": schema.Int64Attribute{
				MarkdownDescription: "The token's lifetime in seconds: the app's `access_token_lifetime` when the token was issued.",
				Computed:            true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token expires (RFC 3339, UTC), computed from the time of issue and `expires_in`.",
				Computed:            true,
			},
			"scope": schema.StringAttribute{
				MarkdownDescription: "The granted scopes, space-separated, exactly as the token endpoint returned them.",
				Computed:            true,
			},
			"granted_scopes": schema.ListAttribute{
				MarkdownDescription: "The granted scopes as a list (`scope` split on spaces).",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (r *oauthAccessTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *oauthAccessTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var model oauthAccessTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Terraform 1.10+ does not open an ephemeral resource whose configuration
	// is not wholly known (a secret of an app created in this run, at plan
	// time); other clients may. Nothing can be fetched yet: defer where the
	// client allows it, else answer unknown values, as a data source would.
	if r.data == nil || model.ClientID.IsUnknown() || model.ClientSecret.IsUnknown() || model.Scopes.IsUnknown() {
		reason := ephemeral.DeferredReasonEphemeralResourceConfigUnknown
		if r.data == nil {
			reason = ephemeral.DeferredReasonProviderConfigUnknown
		}
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &ephemeral.Deferred{Reason: reason}
			return
		}
		tflog.Debug(ctx, "pipeshub_oauth_access_token: configuration not known yet, no token requested", map[string]any{"reason": reason.String()})
		model.setUnknownResult()
		resp.Diagnostics.Append(resp.Result.Set(ctx, &model)...)
		return
	}

	var scopes []string
	resp.Diagnostics.Append(model.Scopes.ElementsAs(ctx, &scopes, false)...)
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = r.data.MaskSecrets(ctx, model.ClientSecret.ValueString())
	tflog.Debug(ctx, "requesting a client_credentials access token", map[string]any{"client_id": model.ClientID.ValueString(), "scopes": scopes})
	issuedAt := time.Now()
	token, err := r.data.Client.ClientCredentialsToken(ctx, model.ClientID.ValueString(), model.ClientSecret.ValueString(), scopes)
	if err != nil {
		addTokenEndpointError(&resp.Diagnostics, err)
		return
	}

	granted := strings.Fields(token.Scope)
	grantedList, d := types.ListValueFrom(ctx, types.StringType, granted)
	resp.Diagnostics.Append(d...)
	model.AccessToken = types.StringValue(token.AccessToken)
	model.TokenType = types.StringValue(token.TokenType)
	model.ExpiresIn = types.Int64Value(token.ExpiresIn)
	model.ExpiresAt = types.StringValue(issuedAt.Add(time.Duration(token.ExpiresIn) * time.Second).UTC().Format(time.RFC3339))
	model.Scope = types.StringValue(token.Scope)
	model.GrantedScopes = grantedList
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "client_credentials access token issued", map[string]any{"client_id": model.ClientID.ValueString(), "expires_in": token.ExpiresIn, "scope": token.Scope})
	if model.RevokeOnClose.IsNull() || model.RevokeOnClose.ValueBool() {
		rememberForRevocation(ctx, resp, revocation{
			ClientID: model.ClientID.ValueString(), ClientSecret: model.ClientSecret.ValueString(), AccessToken: token.AccessToken,
		})
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &model)...)
}

func (m *oauthAccessTokenModel) setUnknownResult() {
	m.AccessToken = types.StringUnknown()
	m.TokenType = types.StringUnknown()
	m.ExpiresIn = types.Int64Unknown()
	m.ExpiresAt = types.StringUnknown()
	m.Scope = types.StringUnknown()
	m.GrantedScopes = types.ListUnknown(types.StringType)
}

// addTokenEndpointError reports a refusal of the token endpoint with PipesHub's
// OAuth error code and description, plus what usually fixes it. Neither the
// error nor the hint holds the secret.
func addTokenEndpointError(diags *diag.Diagnostics, err error) {
	var oauthErr *client.OAuthError
	if !errors.As(err, &oauthErr) {
		diags.AddError("Cannot obtain a PipesHub access token", err.Error())
		return
	}
	detail := fmt.Sprintf("PipesHub's token endpoint answered HTTP %d: %s: %s",
		oauthErr.StatusCode, oauthErr.ErrorCode, oauthErr.Description)
	if hint := tokenEndpointHints[oauthErr.ErrorCode]; hint != "" {
		detail += "\n\n" + hint
	}
	diags.AddError("PipesHub refused to issue an access token", detail)
}

var tokenEndpointHints = map[string]string{
	"invalid_client": "Check that client_id belongs to an existing app, that the app's status is \"active\" " +
		"(a suspended app gets no new tokens), and that client_secret is the app's current secret " +
		"(regenerating the secret invalidates the old one at once).",
	"unsupported_grant_type": "Add \"client_credentials\" to the app's allowed_grant_types.",
	"invalid_scope":          "Request only scopes that are in the app's allowed_scopes, or leave scopes unset to get all of them.",
}
