package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// scopeCategories are PipesHub's scope categories at the time of writing, in
// the API's order (internal/emulator/README.md §6), for the documentation
// only: Read checks category against the live catalogue, so that a category
// PipesHub adds later works without a provider release.
var scopeCategories = []string{
	"Identity", "Access", "Organization", "Users", "User Groups", "Teams", "Knowledge Base",
	"Semantic", "Conversations", "Agents", "Connectors", "Configuration", "Crawling",
}

var (
	_ datasource.DataSource              = &oauthScopesDataSource{}
	_ datasource.DataSourceWithConfigure = &oauthScopesDataSource{}
)

func newOAuthScopesDataSource() datasource.DataSource { return &oauthScopesDataSource{} }

type oauthScopesDataSource struct {
	data *providerData
}

type oauthScopesModel struct {
	ID       types.String `tfsdk:"id"`
	Category types.String `tfsdk:"category"`
	Scopes   []scopeModel `tfsdk:"scopes"`
	Names    []string     `tfsdk:"names"`
}

type scopeModel struct {
	Name                types.String `tfsdk:"name"`
	Description         types.String `tfsdk:"description"`
	Category            types.String `tfsdk:"category"`
	RequiresUserConsent types.Bool   `tfsdk:"requires_user_consent"`
}

func (d *oauthScopesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_scopes"
}

func (d *oauthScopesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *oauthScopesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The OAuth scopes the provider's user may grant to an app, in PipesHub's order. Admins see " +
			"every scope; members do not see admin-only scopes (such as `org:write`), which they may not register. " +
			"It is read from PipesHub once per provider process and shared with the plan-time check of " +
			"`allowed_scopes`, so using it costs no extra API call.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`scopes` or `scopes/<category>`: constant for a given filter.",
				Computed:            true,
			},
			"category": schema.StringAttribute{
				MarkdownDescription: "Only scopes of this category, exactly as PipesHub names it; at the time of writing, one of `" +
					strings.Join(scopeCategories, "`, `") + "`. Checked against the categories PipesHub lists when the data source is read; " +
					"a category none of whose scopes the provider's credential may register (all admin-only, for a member) " +
					"gives empty lists. Unset means all.",
				Optional: true,
			},
			"scopes": schema.ListNestedAttribute{
				MarkdownDescription: "The scopes, by category in PipesHub's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":                  schema.StringAttribute{MarkdownDescription: "Scope name, such as `kb:read`.", Computed: true},
					"description":           schema.StringAttribute{MarkdownDescription: "What the scope grants.", Computed: true},
					"category":              schema.StringAttribute{MarkdownDescription: "Category, such as `Knowledge Base`.", Computed: true},
					"requires_user_consent": schema.BoolAttribute{MarkdownDescription: "Whether the user is asked to consent to it.", Computed: true},
				}},
			},
			"names": schema.ListAttribute{
				MarkdownDescription: "The scope names alone, ready for `allowed_scopes`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
	}
}

func (d *oauthScopesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	var cfg oauthScopesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	catalogue, err := d.data.ScopeCatalogue(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list OAuth scopes", d.data.apiErrorDetail(err))
		return
	}
	cfg.ID = types.StringValue("scopes")
	if !cfg.Category.IsNull() {
		if problem := scopeCategoryProblem(cfg.Category.ValueString(), catalogue.Categories); problem != "" {
			resp.Diagnostics.AddAttributeError(path.Root("category"), "Unknown scope category", problem)
			return
		}
		cfg.ID = types.StringValue("scopes/" + cfg.Category.ValueString())
	}
	cfg.Scopes, cfg.Names = []scopeModel{}, []string{}
	for _, s := range catalogue.Scopes {
		if !cfg.Category.IsNull() && s.Category != cfg.Category.ValueString() {
			continue
		}
		cfg.Scopes = append(cfg.Scopes, scopeModel{
			Name:                types.StringValue(s.Name),
			Description:         types.StringValue(s.Description),
			Category:            types.StringValue(s.Category),
			RequiresUserConsent: types.BoolValue(s.RequiresUserConsent),
		})
		cfg.Names = append(cfg.Names, s.Name)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// scopeCategoryProblem explains why category is none of the categories of
// the caller's catalogue, naming them and the nearest one; it returns "" when
// it is one, even one with no scope the caller may see (an empty list, not an
// error). The live catalogue decides rather than scopeCategories, and it is
// fetched anyway, so the check costs no call.
func scopeCategoryProblem(category string, categories []string) string {
	if slices.Contains(categories, category) {
		return ""
	}
	detail := fmt.Sprintf("PipesHub lists no scope category %q for the provider's credential "+
		"(category names are exact and case-sensitive).", category)
	if suggestion := closest(category, categories); suggestion != "" {
		detail += fmt.Sprintf(" Did you mean %q?", suggestion)
	}
	return detail + ` The categories PipesHub lists: "` + strings.Join(categories, `", "`) + `".`
}
