package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/provider/validators"
)

var (
	_ datasource.DataSource                     = (*oauthAppDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*oauthAppDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*oauthAppDataSource)(nil)
)

// newOAuthAppDataSource returns the pipeshub_oauth_app data source: one app,
// looked up by id, by OAuth client id or by exact name.
func newOAuthAppDataSource() datasource.DataSource {
	return &oauthAppDataSource{}
}

type oauthAppDataSource struct {
	data *providerData
}

// appIDValidator checks PipesHub's own {appId} rule at plan time, turning the
// API's 400 "Invalid App ID" into an attribute error.
func appIDValidator() validator.String {
	return stringvalidator.RegexMatches(client.AppIDPattern, "must be a PipesHub OAuth app id: 24 hexadecimal characters")
}

// clientIDValidator checks that a client id is a UUID as PipesHub writes it,
// so that a wrong value fails at plan time on the attribute instead of after
// a walk through every page of the caller's apps.
func clientIDValidator() validator.String {
	return stringvalidator.RegexMatches(client.ClientIDPattern,
		"must be an OAuth client id: a UUID in lower case, such as \"f781997b-c958-4808-a804-5eef2f8102c2\" "+
			"(the client_id attribute of the app, not its 24-hexadecimal id)")
}

func (d *oauthAppDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_app"
}

func (d *oauthAppDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := oauthAppDataSourceAttributes()
	attributes["id"] = schema.StringAttribute{
		MarkdownDescription: "The app's id (24 hexadecimal characters). Set exactly one of `id`, `client_id` and `name`. " +
			"A lookup by id is a single API call.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{appIDValidator()},
	}
	attributes["client_id"] = schema.StringAttribute{
		MarkdownDescription: "The app's OAuth client id (a UUID in lower case, as PipesHub writes it), which the app's " +
			"consumers know. Set exactly one of `id`, `client_id` and `name`. PipesHub cannot look an app up by client id, " +
			"so the lookup reads the caller's apps, newest first, 100 to an API call, until it finds the app: one call " +
			"for any of the 100 newest apps. PipesHub lists only the apps the provider's credential created, so another " +
			"user's app is not found.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{clientIDValidator()},
	}
	attributes["name"] = schema.StringAttribute{
		MarkdownDescription: "The app's exact name (case-sensitive). Set exactly one of `id`, `client_id` and `name`. " +
			"Names are not unique in PipesHub: when no app or more than one app of the caller has this name, " +
			"the read fails and lists the candidates' ids, so that you can look the app up by `id` instead.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{validators.Length(1, nameMaxLength)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one PipesHub OAuth app by `id`, by OAuth `client_id` or by exact `name`. " +
			"PipesHub shows an app only to the user who created it, so the lookup sees only the apps of the " +
			"provider's credential. The client secret is never available here: PipesHub returns it only when " +
			"the app is created or its secret regenerated (see the `pipeshub_oauth_app` resource).",
		Attributes: attributes,
	}
}

func (d *oauthAppDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("client_id"), path.MatchRoot("name")),
	}
}

func (d *oauthAppDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *oauthAppDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		addNotConfiguredError(&resp.Diagnostics)
		return
	}
	var config oauthAppModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var app *client.App
	switch {
	case !config.ID.IsNull():
		app = d.appByID(ctx, config.ID.ValueString(), &resp.Diagnostics)
	case !config.ClientID.IsNull():
		app = d.appByClientID(ctx, config.ClientID.ValueString(), &resp.Diagnostics)
	default:
		app = d.appByName(ctx, config.Name.ValueString(), &resp.Diagnostics)
	}
	if app == nil {
		return
	}

	var state oauthAppModel
	resp.Diagnostics.Append(state.fromAPI(ctx, app)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// appByID is one GET. A 404 is an error here (unlike in the resource's Read):
// a data source that finds nothing has nothing to return.
func (d *oauthAppDataSource) appByID(ctx context.Context, id string, diags *diag.Diagnostics) *client.App {
	app, err := d.data.Client.GetApp(ctx, id)
	switch {
	case client.IsNotFound(err):
		addAppNotFoundError(diags, path.Root("id"), id, err)
		return nil
	case err != nil:
		diags.AddError("Cannot read OAuth app", d.data.apiErrorDetail(err))
		return nil
	}
	return app
}

// addAppNotFoundError reports a 404 on an app id given in configuration.
func addAppNotFoundError(diags *diag.Diagnostics, attr path.Path, id string, err error) {
	diags.AddAttributeError(attr, "OAuth app not found",
		fmt.Sprintf("%s\n\nNo app with id %q is visible to this credential. PipesHub shows an app only to "+
			"the user who created it, and a deleted app cannot be read again.", err, id))
}

// appByClientID walks the caller's apps up to the page that holds clientID
// (client.FindAppByClientID); the listed app is complete, so no GET follows.
func (d *oauthAppDataSource) appByClientID(ctx context.Context, clientID string, diags *diag.Diagnostics) *client.App {
	app, err := d.data.Client.FindAppByClientID(d.data.MaskSecrets(ctx), clientID)
	switch {
	case client.IsNotFound(err):
		diags.AddAttributeError(path.Root("client_id"), "Cannot read OAuth app: client_id not visible to this credential",
			fmt.Sprintf("%s\n\n%s", err, clientIDNotVisibleExplanation(clientID,
				"look it up with that user's bearer token (bearer_auth in the provider block, or PIPESHUB_BEARER_AUTH)")))
		return nil
	case err != nil:
		diags.AddError("Cannot read OAuth app", d.data.apiErrorDetail(err))
		return nil
	}
	return app
}

// clientIDNotVisibleExplanation says why no app of the caller has clientID,
// and what to do when another user created it (otherUser).
func clientIDNotVisibleExplanation(clientID, otherUser string) string {
	return fmt.Sprintf("None of the OAuth apps visible to the provider's credential has client_id %q. "+
		"PipesHub shows an app only to the user who created it, and lists only that user's apps: to any other user, "+
		"admins of the same organisation included, an existing app is as invisible as a deleted one. So one of these holds:\n"+
		"  - another user created the app: %s;\n"+
		"  - the app was deleted (a deleted app cannot be read or restored through the API);\n"+
		"  - the client id is wrong: with the creator's token, the pipeshub_oauth_apps data source lists the "+
		"client_id and id of each of that user's apps.", clientID, otherUser)
}

// appByName walks every page of the list filtered by search (a case-insensitive
// substring of name or description) and keeps exact name matches only. It
// returns an app only when exactly one matches: names are not unique.
func (d *oauthAppDataSource) appByName(ctx context.Context, name string, diags *diag.Diagnostics) *client.App {
	candidates, ok := d.data.listApps(ctx, oauthAppFilterModel{Search: types.StringValue(name)}, 0, diags)
	if !ok {
		return nil
	}
	var matches []client.App
	for _, app := range candidates {
		if app.Name == name {
			matches = append(matches, app)
		}
	}
	switch len(matches) {
	case 1:
		return &matches[0]
	case 0:
		detail := fmt.Sprintf("No OAuth app named %q is visible to this credential (the match is exact and "+
			"case-sensitive). PipesHub shows an app only to the user who created it.", name)
		if len(candidates) > 0 {
			detail += "\n\nApps whose name or description contains that text:\n" + describeApps(candidates, maxListedCandidates)
		}
		diags.AddAttributeError(path.Root("name"), "OAuth app not found", detail)
	default:
		diags.AddAttributeError(path.Root("name"), "Several OAuth apps have this name",
			fmt.Sprintf("%d OAuth apps are named %q; PipesHub does not keep names unique, and this data source "+
				"never picks one for you. Look the app up by `id` instead. Candidates:\n%s",
				len(matches), name, describeApps(matches, len(matches))))
	}
	return nil
}

// maxListedCandidates bounds the near misses listed when no name matches.
const maxListedCandidates = 10

// describeApps lists up to limit apps, one a line, with what tells them apart.
func describeApps(apps []client.App, limit int) string {
	lines := make([]string, 0, min(len(apps), limit)+1)
	for _, app := range apps[:min(len(apps), limit)] {
		lines = append(lines, fmt.Sprintf("  - id %s, name %q (created %s, status %s)", app.ID, app.Name, app.CreatedAt, app.Status))
	}
	if len(apps) > limit {
		lines = append(lines, fmt.Sprintf("  - and %d more", len(apps)-limit))
	}
	return strings.Join(lines, "\n")
}

// oauthAppDataSourceAttributes is the read-only schema of an app, shared by
// pipeshub_oauth_app and each element of pipeshub_oauth_apps. Its attribute set
// is exactly oauthAppModel's; the client secret is never part of it.
func oauthAppDataSourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The app's id (24 hexadecimal characters).",
			Computed:            true,
		},
		"client_id": schema.StringAttribute{
			MarkdownDescription: "The OAuth client id (a UUID), used with the client secret at the token endpoint. Never changes.",
			Computed:            true,
		},
		"slug": schema.StringAttribute{
			MarkdownDescription: "PipesHub's unique slug for the app, such as `oauthapp-12`.",
			Computed:            true,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "The app's display name (1 to 100 characters; not unique).",
			Computed:            true,
		},
		"description": schema.StringAttribute{
			MarkdownDescription: "The app's description (at most 500 characters); null when it was never set.",
			Computed:            true,
		},
		"redirect_uris": schema.SetAttribute{
			MarkdownDescription: "The redirect URIs allowed for the authorization_code grant (at most 10).",
			ElementType:         types.StringType,
			Computed:            true,
		},
		"allowed_scopes": schema.SetAttribute{
			MarkdownDescription: "The scopes the app may request.",
			ElementType:         types.StringType,
			Computed:            true,
		},
		"allowed_grant_types": schema.SetAttribute{
			MarkdownDescription: "The OAuth grant types the app may use: `authorization_code`, `client_credentials` and/or `refresh_token`.",
			ElementType:         types.StringType,
			Computed:            true,
		},
		"homepage_url": schema.StringAttribute{
			MarkdownDescription: "The app's homepage URL; null when not set.",
			Computed:            true,
		},
		"privacy_policy_url": schema.StringAttribute{
			MarkdownDescription: "The app's privacy policy URL; null when not set.",
			Computed:            true,
		},
		"terms_of_service_url": schema.StringAttribute{
			MarkdownDescription: "The app's terms of service URL; null when not set.",
			Computed:            true,
		},
		"is_confidential": schema.BoolAttribute{
			MarkdownDescription: "Whether the app is a confidential client (one that can keep its secret).",
			Computed:            true,
		},
		"access_token_lifetime": schema.Int64Attribute{
			MarkdownDescription: "Lifetime of the app's access tokens, in seconds (300 to 86400).",
			Computed:            true,
		},
		"refresh_token_lifetime": schema.Int64Attribute{
			MarkdownDescription: "Lifetime of the app's refresh tokens, in seconds (3600 to 31536000).",
			Computed:            true,
		},
		"status": schema.StringAttribute{
			MarkdownDescription: "`active`, or `suspended` (a suspended app cannot obtain new tokens; tokens issued before stay valid).",
			Computed:            true,
		},
		"created_at": schema.StringAttribute{
			MarkdownDescription: "When the app was created (RFC 3339, UTC, with milliseconds).",
			Computed:            true,
		},
		"updated_at": schema.StringAttribute{
			MarkdownDescription: "When the app was last changed (RFC 3339, UTC, with milliseconds).",
			Computed:            true,
		},
	}
}
