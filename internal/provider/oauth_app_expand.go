package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// createRequest builds the POST body from the plan. Every defaulted attribute
// is sent explicitly, so the result never depends on PipesHub's defaults.
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
