package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// oauthAppModel holds every API-backed attribute of an OAuth app. This file
// holds both directions of its mapping to the API too: fromAPI (API to
// Terraform), createRequest and updateRequest (Terraform to API). The
// resource embeds the model; the data sources and the list resource reuse it.
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

// createRequest builds the POST body from the plan. Every defaulted attribute
// is sent explicitly, so the result never depends on PipesHub's defaults.
// Finding the app made by a create whose answer was lost compares API
// objects, so that rule is the client's (CreateAppRequest.matches in
// internal/client/create_recovery.go).
func (m *oauthAppModel) createRequest(ctx context.Context, diags *diag.Diagnostics) client.CreateAppRequest {
	return client.CreateAppRequest{
		Name:                 m.Name.ValueString(),
		Description:          m.Description.ValueStringPointer(),
		RedirectURIs:         setStrings(ctx, m.RedirectURIs, diags),
		AllowedGrantTypes:    setStrings(ctx, m.AllowedGrantTypes, diags),
		AllowedScopes:        setStrings(ctx, m.AllowedScopes, diags),
		HomepageURL:          m.HomepageURL.ValueStringPointer(),
		PrivacyPolicyURL:     m.PrivacyPolicyURL.ValueStringPointer(),
		TermsOfServiceURL:    m.TermsOfServiceURL.ValueStringPointer(),
		IsConfidential:       m.IsConfidential.ValueBoolPointer(),
		AccessTokenLifetime:  m.AccessTokenLifetime.ValueInt64Pointer(),
		RefreshTokenLifetime: m.RefreshTokenLifetime.ValueInt64Pointer(),
	}
}

// updateRequest builds the partial PUT body carrying only what differs
// between plan and state; changed is false when no PUT is needed. status is
// not part of it (suspend/activate), nor is is_confidential (replacement).
func (m *oauthAppModel) updateRequest(ctx context.Context, state *oauthAppModel, diags *diag.Diagnostics) (req client.UpdateAppRequest, changed bool) {
	if !m.Name.Equal(state.Name) {
		req.Name, changed = m.Name.ValueStringPointer(), true
	}
	if !m.Description.Equal(state.Description) {
		// PipesHub cannot null a description; "" clears it (and reads back as null).
		desc := m.Description.ValueString()
		req.Description, changed = &desc, true
	}
	for _, f := range []struct {
		plan, state types.Set
		dst         **[]string
	}{
		{m.RedirectURIs, state.RedirectURIs, &req.RedirectURIs},
		{m.AllowedGrantTypes, state.AllowedGrantTypes, &req.AllowedGrantTypes},
		{m.AllowedScopes, state.AllowedScopes, &req.AllowedScopes},
	} {
		if !f.plan.Equal(f.state) {
			values := setStrings(ctx, f.plan, diags)
			*f.dst, changed = &values, true
		}
	}
	for _, f := range []struct {
		plan, state types.String
		dst         *client.NullableString
	}{
		{m.HomepageURL, state.HomepageURL, &req.HomepageURL},
		{m.PrivacyPolicyURL, state.PrivacyPolicyURL, &req.PrivacyPolicyURL},
		{m.TermsOfServiceURL, state.TermsOfServiceURL, &req.TermsOfServiceURL},
	} {
		switch {
		case f.plan.Equal(f.state):
		case f.plan.IsNull():
			*f.dst, changed = client.Clear(), true
		default:
			*f.dst, changed = client.Set(f.plan.ValueString()), true
		}
	}
	if !m.AccessTokenLifetime.Equal(state.AccessTokenLifetime) {
		req.AccessTokenLifetime, changed = m.AccessTokenLifetime.ValueInt64Pointer(), true
	}
	if !m.RefreshTokenLifetime.Equal(state.RefreshTokenLifetime) {
		req.RefreshTokenLifetime, changed = m.RefreshTokenLifetime.ValueInt64Pointer(), true
	}
	return req, changed
}

// nonEmptyStringOrNull is null for a field the API omits or sends empty.
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

// appLabel names an app in a diagnostic the way its reviewers and its
// consumers know it: by name, id and client id.
func appLabel(name, id, clientID string) string {
	label := fmt.Sprintf("OAuth app %q (id %s", name, id)
	if clientID != "" {
		label += ", client_id " + clientID
	}
	return label + ")"
}
