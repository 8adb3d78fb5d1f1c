package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

var (
	_ datasource.DataSource              = (*oauthAppsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*oauthAppsDataSource)(nil)
)

// newOAuthAppsDataSource returns the pipeshub_oauth_apps data source: every
// app of the caller, optionally filtered, all pages walked.
func newOAuthAppsDataSource() datasource.DataSource {
	return &oauthAppsDataSource{}
}

type oauthAppsDataSource struct {
	data *providerData
}

type oauthAppsDataSourceModel struct {
	oauthAppFilterModel
	ID   types.String    `tfsdk:"id"`
	Apps []oauthAppModel `tfsdk:"apps"`
	IDs  []string        `tfsdk:"ids"`
}

func (d *oauthAppsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_apps"
}

func (d *oauthAppsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every PipesHub OAuth app of the provider's credential (PipesHub shows an app only " +
			"to the user who created it), newest first, optionally filtered by `status` and `search`. " +
			"All pages are read (100 apps per API call). Client secrets are never part of the result.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "An identifier derived from the filters only, so that it stays the same from one read to the next.",
				Computed:            true,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: appStatusFilterDescription,
				Optional:            true,
				Validators:          []validator.String{appStatusFilterValidator},
			},
			"search": schema.StringAttribute{
				MarkdownDescription: appSearchFilterDescription + " For one app by exact name, use the `pipeshub_oauth_app` data source.",
				Optional:            true,
				Validators:          []validator.String{appSearchFilterValidator},
			},
			"apps": schema.ListNestedAttribute{
				MarkdownDescription: "The matching apps, newest first, with the same attributes as the `pipeshub_oauth_app` data source.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: oauthAppDataSourceAttributes()},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "The ids of the matching apps, in the order of `apps`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (d *oauthAppsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *oauthAppsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	var state oauthAppsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	apps, ok := d.data.listApps(ctx, state.oauthAppFilterModel, 0, &resp.Diagnostics)
	if !ok {
		return
	}

	state.ID = types.StringValue(oauthAppsFilterID(state.Status.ValueString(), state.Search.ValueString()))
	state.Apps = make([]oauthAppModel, len(apps))
	state.IDs = make([]string, len(apps))
	for i := range apps {
		resp.Diagnostics.Append(state.Apps[i].fromAPI(ctx, &apps[i])...)
		state.IDs[i] = apps[i].ID
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// oauthAppsFilterID hashes the filters (NUL cannot occur in either) into a
// stable id: the same configuration always reads into the same id.
func oauthAppsFilterID(status, search string) string {
	sum := sha256.Sum256([]byte(status + "\x00" + search))
	return hex.EncodeToString(sum[:8])
}

// oauthAppFilterModel is the filter of both listings of the caller's apps: the
// pipeshub_oauth_apps data source embeds it, and it is the whole configuration
// of the pipeshub_oauth_app list resource. The two schemas come from different
// framework packages, so they share these descriptions and validators.
type oauthAppFilterModel struct {
	Status types.String `tfsdk:"status"`
	Search types.String `tfsdk:"search"`
}

const (
	appStatusFilterDescription = "Only apps with this status: `active` or `suspended`. Unset means every status."
	appSearchFilterDescription = "Only apps whose name **or description** contains this text, case-insensitively " +
		"(PipesHub's own search; leading and trailing spaces are ignored). Unset means no filter."
)

var (
	appStatusFilterValidator = stringvalidator.OneOf(client.StatusActive, client.StatusSuspended)
	appSearchFilterValidator = stringvalidator.LengthAtLeast(1)
)

// listApps reads the caller's apps that pass filter (a null status or search
// filters nothing), atMost of them (0 = all). On failure it reports why in diags.
func (d *providerData) listApps(ctx context.Context, filter oauthAppFilterModel, atMost int64, diags *diag.Diagnostics) ([]client.App, bool) {
	apps, err := d.Client.ListAppsUpTo(d.MaskSecrets(ctx), filter.Status.ValueString(), filter.Search.ValueString(), int(atMost))
	if err != nil {
		diags.AddError("Cannot list OAuth apps", d.apiErrorDetail(err))
		return nil, false
	}
	return apps, true
}
