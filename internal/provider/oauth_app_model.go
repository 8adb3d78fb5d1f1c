package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// oauthAppModel holds every API-backed attribute of an OAuth app. The
// resource embeds it; the data sources reuse it, so there is one flattener.
type oauthAppModel struct {
	ID                   types.String `tfsdk:"id"`
	ClientID             types.String `tfsdk:"client_id"`
	Slug                 types.String `tfsdk:"slug"`
	Name                 types.String `tfsdk:"name"`
	Description          types.String `tfsdk:"description"`
	RedirectURIs         types.Set    `tfsdk:"redirect_uris"`
	AllowedScopes        types.Set    `tfsdk:"allowed_scopes"`
	AllowedGrantTypes    types.Set    `tfsdk:"allowed_grant_types"`
	HomepageURL          types.String `tfsdk:"homepage_url"`
	PrivacyPolicyURL     types.String `tfsdk:"privacy_policy_url"`
	TermsOfServiceURL    types.String `tfsdk:"terms_of_service_url"`
	IsConfidential       types.Bool   `tfsdk:"is_confidential"`
	AccessTokenLifetime  types.Int64  `tfsdk:"access_token_lifetime"`
	RefreshTokenLifetime types.Int64  `tfsdk:"refresh_token_lifetime"`
	Status               types.String `tfsdk:"status"`
	CreatedAt            types.String `tfsdk:"created_at"`
	UpdatedAt            types.String `tfsdk:"updated_at"`
}

// fromAPI sets every attribute from the API's app object. An absent or empty
// description is null (PipesHub cannot null a description, so clearing one
// stores ""); absent URLs are null; lists become sets (order and duplicates
// carry no meaning in PipesHub).
func (m *oauthAppModel) fromAPI(ctx context.Context, app *client.App) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(app.ID)
	m.ClientID = types.StringValue(app.ClientID)
	m.Slug = types.StringValue(app.Slug)
	m.Name = types.StringValue(app.Name)
	m.Description = nonEmptyStringOrNull(app.Description)
	m.RedirectURIs = stringSet(ctx, app.RedirectURIs, &diags)
	m.AllowedScopes = stringSet(ctx, app.AllowedScopes, &diags)
	m.AllowedGrantTypes = stringSet(ctx, app.AllowedGrantTypes, &diags)
	m.HomepageURL = types.StringPointerValue(app.HomepageURL)
	m.PrivacyPolicyURL = types.StringPointerValue(app.PrivacyPolicyURL)
	m.TermsOfServiceURL = types.StringPointerValue(app.TermsOfServiceURL)
	m.IsConfidential = types.BoolValue(app.IsConfidential)
	m.AccessTokenLifetime = types.Int64Value(app.AccessTokenLifetime)
	m.RefreshTokenLifetime = types.Int64Value(app.RefreshTokenLifetime)
	m.Status = types.StringValue(app.Status)
	m.CreatedAt = types.StringValue(app.CreatedAt)
	m.UpdatedAt = types.StringValue(app.UpdatedAt)
	return diags
}

func nonEmptyStringOrNull(s *string) types.String {
	if s == nil || *s == "" {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

// stringSet converts a list from the API into a set (never null: a missing list is empty).
func stringSet(ctx context.Context, values []string, diags *diag.Diagnostics) types.Set {
	if values == nil {
		values = []string{}
	}
	set, d := types.SetValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	return set
}

// setStrings returns the elements of a known set (nil for null or unknown).
func setStrings(ctx context.Context, set types.Set, diags *diag.Diagnostics) []string {
	if set.IsNull() || set.IsUnknown() {
		return nil
	}
	out := make([]string, 0, len(set.Elements()))
	diags.Append(set.ElementsAs(ctx, &out, false)...)
	return out
}
