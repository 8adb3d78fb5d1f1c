package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

var (
	_ list.ListResource              = (*oauthAppListResource)(nil)
	_ list.ListResourceWithConfigure = (*oauthAppListResource)(nil)
)

// newOAuthAppListResource returns the pipeshub_oauth_app list resource, which
// terraform query (Terraform 1.14 and later) uses to find the apps of the
// provider's user: each result carries the resource identity { id } and, when
// asked for, the whole resource object, from which
// terraform query -generate-config-out writes a resource block and an import
// block per app.
func newOAuthAppListResource() list.ListResource {
	return &oauthAppListResource{}
}

type oauthAppListResource struct {
	data *providerData
}

func (l *oauthAppListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_app"
}

func (l *oauthAppListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the PipesHub OAuth apps of the provider's credential for `terraform query` " +
			"(Terraform 1.14 or later), newest first, optionally filtered by `status` and `search`. Every page is " +
			"read (100 apps per API call); the query's `limit` (Terraform's default is 100) caps the results. " +
			"PipesHub shows an app only to the user who created it, so the results are that user's apps: other " +
			"users' apps, admins' view included, never appear.\n\n" +
			"Each result carries the resource identity (`id`) and the app's name as display name. With " +
			"`include_resource = true` it also carries the whole `pipeshub_oauth_app` object, which " +
			"`terraform query -generate-config-out=FILE` turns into a resource block and an import block per app. " +
			"`client_secret` is null in that object (PipesHub never returns an existing secret), so the plan that " +
			"imports the apps warns that Terraform does not know their secrets, as after any import: set " +
			"`secret_rotation_triggers` on an app to give it a new secret that Terraform holds. " +
			"`secret_rotation_triggers`, `token_revocation_triggers` and `timeouts` are Terraform's own settings " +
			"and are null too.",
		Attributes: map[string]schema.Attribute{
			"status": schema.StringAttribute{
				MarkdownDescription: appStatusFilterDescription,
				Optional:            true,
				Validators:          []validator.String{appStatusFilterValidator},
			},
			"search": schema.StringAttribute{
				MarkdownDescription: appSearchFilterDescription,
				Optional:            true,
				Validators:          []validator.String{appSearchFilterValidator},
			},
		},
	}
}

func (l *oauthAppListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *oauthAppListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	if l.data == nil {
		addNotConfiguredError(&diags)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var filter oauthAppFilterModel
	diags.Append(req.Config.Get(ctx, &filter)...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// Only the pages the limit needs are read (Terraform's default is 100: one page).
	apps, ok := l.data.listApps(ctx, filter, max(req.Limit, 0), &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i := range apps {
			app := &apps[i]
			result := req.NewListResult(ctx)
			result.DisplayName = app.Name
			result.Diagnostics.Append(setAppIdentity(ctx, result.Identity, app.ID)...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, listedAppModel(ctx, app, &result.Diagnostics))...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// listedAppModel is the resource object of a listed app, as an import would
// read it: the API's attributes, and null for what only Terraform knows
// (the secret, which PipesHub never returns again, the triggers and the
// timeouts), so that the generated configuration sets none of them.
func listedAppModel(ctx context.Context, app *client.App, diags *diag.Diagnostics) *oauthAppResourceModel {
	m := &oauthAppResourceModel{
		ClientSecret:            types.StringNull(),
		SecretRotationTriggers:  types.MapNull(types.StringType),
		TokenRevocationTriggers: types.MapNull(types.StringType),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
		})},
	}
	diags.Append(m.fromAPI(ctx, app)...)
	return m
}
