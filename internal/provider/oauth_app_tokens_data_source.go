package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

var (
	_ datasource.DataSource              = (*oauthAppTokensDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*oauthAppTokensDataSource)(nil)
)

// newOAuthAppTokensDataSource returns the pipeshub_oauth_app_tokens data
// source: the live (unrevoked, unexpired) tokens of one app.
func newOAuthAppTokensDataSource() datasource.DataSource {
	return &oauthAppTokensDataSource{}
}

type oauthAppTokensDataSource struct {
	data *providerData
}

type oauthAppTokensDataSourceModel struct {
	AppID  types.String         `tfsdk:"app_id"`
	Tokens []oauthAppTokenModel `tfsdk:"tokens"`
}

type oauthAppTokenModel struct {
	ID         types.String `tfsdk:"id"`
	TokenType  types.String `tfsdk:"token_type"`
	UserID     types.String `tfsdk:"user_id"`
	Scopes     []string     `tfsdk:"scopes"`
	CreatedAt  types.String `tfsdk:"created_at"`
	ExpiresAt  types.String `tfsdk:"expires_at"`
	Name       types.String `tfsdk:"name"`
	LastUsedAt types.String `tfsdk:"last_used_at"`
}

func (d *oauthAppTokensDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_app_tokens"
}

func (d *oauthAppTokensDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the live tokens of one PipesHub OAuth app: those neither revoked nor expired, " +
			"newest first (PipesHub returns at most 100 access and 100 refresh tokens). The token values themselves " +
			"are never returned by PipesHub; this shows their metadata. To revoke them all, change " +
			"`token_revocation_triggers` on the `pipeshub_oauth_app` resource.",
		Attributes: map[string]schema.Attribute{
			"app_id": schema.StringAttribute{
				MarkdownDescription: "The id of the app (24 hexadecimal characters), for example `pipeshub_oauth_app.x.id`. " +
					"The app must belong to the provider's credential.",
				Required:   true,
				Validators: []validator.String{appIDValidator()},
			},
			"tokens": schema.ListNestedAttribute{
				MarkdownDescription: "The live tokens, newest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{
						MarkdownDescription: "The token record's id (not the token itself).",
						Computed:            true,
					},
					"token_type": schema.StringAttribute{
						MarkdownDescription: "`access` or `refresh`.",
						Computed:            true,
					},
					"user_id": schema.StringAttribute{
						MarkdownDescription: "The user the token acts for; null for `client_credentials` tokens, which act for the app.",
						Computed:            true,
					},
					"scopes": schema.ListAttribute{
						MarkdownDescription: "The scopes granted to the token, as PipesHub stores them.",
						ElementType:         types.StringType,
						Computed:            true,
					},
					"created_at": schema.StringAttribute{
						MarkdownDescription: "When the token was issued (RFC 3339, UTC).",
						Computed:            true,
					},
					"expires_at": schema.StringAttribute{
						MarkdownDescription: "When the token expires (RFC 3339, UTC).",
						Computed:            true,
					},
					"name": schema.StringAttribute{
						MarkdownDescription: "The token's name (personal access tokens only); null otherwise.",
						Computed:            true,
					},
					"last_used_at": schema.StringAttribute{
						MarkdownDescription: "When the token last authenticated an API call (RFC 3339, UTC; PipesHub " +
							"updates it at most every 5 minutes); null if never used.",
						Computed: true,
					},
				}},
			},
		},
	}
}

func (d *oauthAppTokensDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *oauthAppTokensDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	var state oauthAppTokensDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	appID := state.AppID.ValueString()
	tokens, err := d.data.Client.ListTokens(ctx, appID)
	switch {
	case client.IsNotFound(err):
		addAppNotFoundError(&resp.Diagnostics, path.Root("app_id"), appID, err)
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot list the tokens of an OAuth app", d.data.apiErrorDetail(err))
		return
	}

	state.Tokens = make([]oauthAppTokenModel, len(tokens))
	for i, t := range tokens {
		scopes := t.Scopes
		if scopes == nil {
			scopes = []string{}
		}
		state.Tokens[i] = oauthAppTokenModel{
			ID:         types.StringValue(t.ID),
			TokenType:  types.StringValue(t.TokenType),
			UserID:     nonEmptyStringOrNull(&t.UserID),
			Scopes:     scopes,
			CreatedAt:  types.StringValue(t.CreatedAt),
			ExpiresAt:  types.StringValue(t.ExpiresAt),
			Name:       nonEmptyStringOrNull(&t.Name),
			LastUsedAt: nonEmptyStringOrNull(&t.LastUsedAt),
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
