package client

import "encoding/json"

// App is PipesHub's OAuthAppResponse (internal/emulator/README.md §4). Optional strings are
// pointers because the API omits a field that was never set, and "omitted"
// must stay distinguishable from "".
type App struct {
	ID                   string   `json:"id"`
	Slug                 string   `json:"slug"`
	ClientID             string   `json:"clientId"`
	Name                 string   `json:"name"`
	Description          *string  `json:"description,omitempty"`
	RedirectURIs         []string `json:"redirectUris"`
	AllowedGrantTypes    []string `json:"allowedGrantTypes"`
	AllowedScopes        []string `json:"allowedScopes"`
	Status               string   `json:"status"`
	LogoURL              *string  `json:"logoUrl,omitempty"`
	HomepageURL          *string  `json:"homepageUrl,omitempty"`
	PrivacyPolicyURL     *string  `json:"privacyPolicyUrl,omitempty"`
	TermsOfServiceURL    *string  `json:"termsOfServiceUrl,omitempty"`
	IsConfidential       bool     `json:"isConfidential"`
	AccessTokenLifetime  int64    `json:"accessTokenLifetime"`
	RefreshTokenLifetime int64    `json:"refreshTokenLifetime"`
	CreatedAt            string   `json:"createdAt"`
	UpdatedAt            string   `json:"updatedAt"`
}

// App statuses (internal/emulator/README.md §4, §7). The third, revoked, is
// only ever the status of a deleted app, which the API no longer shows.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Grant types accepted by PipesHub (internal/emulator/README.md §5).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantClientCredentials = "client_credentials"
	GrantRefreshToken      = "refresh_token"
)

// AppWithSecret is the app returned by create: the only response, with
// regenerate-secret, that carries the client secret.
type AppWithSecret struct {
	App
	ClientSecret string `json:"clientSecret"`
}

// CreateAppRequest is the body of POST /oauth-clients. Nil pointers and nil
// slices are omitted so that PipesHub applies its own defaults.
type CreateAppRequest struct {
	Name                 string   `json:"name"`
	Description          *string  `json:"description,omitempty"`
	RedirectURIs         []string `json:"redirectUris,omitempty"`
	AllowedGrantTypes    []string `json:"allowedGrantTypes,omitempty"`
	AllowedScopes        []string `json:"allowedScopes"`
	HomepageURL          *string  `json:"homepageUrl,omitempty"`
	PrivacyPolicyURL     *string  `json:"privacyPolicyUrl,omitempty"`
	TermsOfServiceURL    *string  `json:"termsOfServiceUrl,omitempty"`
	IsConfidential       *bool    `json:"isConfidential,omitempty"`
	AccessTokenLifetime  *int64   `json:"accessTokenLifetime,omitempty"`
	RefreshTokenLifetime *int64   `json:"refreshTokenLifetime,omitempty"`
}

// UpdateAppRequest is the body of the partial PUT /oauth-clients/{appId}: a
// field left at its zero value is not sent and stays unchanged on the server.
// The three URL fields can also be cleared, which PipesHub spells as null.
type UpdateAppRequest struct {
	Name                 *string        `json:"name,omitempty"`
	Description          *string        `json:"description,omitempty"`
	RedirectURIs         *[]string      `json:"redirectUris,omitempty"`
	AllowedGrantTypes    *[]string      `json:"allowedGrantTypes,omitempty"`
	AllowedScopes        *[]string      `json:"allowedScopes,omitempty"`
	HomepageURL          NullableString `json:"homepageUrl,omitzero"`
	PrivacyPolicyURL     NullableString `json:"privacyPolicyUrl,omitzero"`
	TermsOfServiceURL    NullableString `json:"termsOfServiceUrl,omitzero"`
	AccessTokenLifetime  *int64         `json:"accessTokenLifetime,omitempty"`
	RefreshTokenLifetime *int64         `json:"refreshTokenLifetime,omitempty"`
}

// NullableString is a field of a partial update with three states: the zero
// value leaves the field unchanged (omitted from the body), Set sends a value
// and Clear sends null.
type NullableString struct {
	present bool
	value   *string
}

// Set returns a NullableString that sends v.
func Set(v string) NullableString { return NullableString{present: true, value: &v} }

// Clear returns a NullableString that sends null, clearing the field.
func Clear() NullableString { return NullableString{present: true} }

// IsZero reports whether the field is left unchanged; encoding/json's omitzero uses it.
func (n NullableString) IsZero() bool { return !n.present }

// MarshalJSON encodes the value, or null when cleared.
func (n NullableString) MarshalJSON() ([]byte, error) {
	if n.value == nil {
		return []byte("null"), nil
	}
	return json.Marshal(*n.value)
}

// ListAppsParams are the query parameters of GET /oauth-clients. Zero values
// are not sent, so PipesHub's defaults apply (page 1, limit 20).
type ListAppsParams struct {
	Page   int
	Limit  int
	Status string
	Search string
}

// Pagination is the pagination envelope of the list response.
type Pagination struct {
	Page       int `json:"page"`
	Limit      int `json:"limit"`
	Total      int `json:"total"`
	TotalPages int `json:"totalPages"`
}

// AppList is one page of GET /oauth-clients.
type AppList struct {
	Data       []App      `json:"data"`
	Pagination Pagination `json:"pagination"`
}

// Scope is one entry of the scope catalogue (internal/emulator/README.md §6).
type Scope struct {
	Name                string `json:"name"`
	Description         string `json:"description"`
	Category            string `json:"category"`
	RequiresUserConsent bool   `json:"requiresUserConsent"`
}

// RegeneratedSecret is the response of regenerate-secret: not an app object.
type RegeneratedSecret struct {
	Message      string `json:"message"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// Token is one item of GET /oauth-clients/{appId}/tokens (internal/emulator/README.md §5, §10.6).
type Token struct {
	ID         string   `json:"id"`
	TokenType  string   `json:"tokenType"`
	UserID     string   `json:"userId,omitempty"`
	Scopes     []string `json:"scopes"`
	CreatedAt  string   `json:"createdAt"`
	ExpiresAt  string   `json:"expiresAt"`
	IsRevoked  bool     `json:"isRevoked"`
	Name       string   `json:"name,omitempty"`
	LastUsedAt string   `json:"lastUsedAt,omitempty"`
}

// AccessToken is the success response of POST /oauth2/token for the
// client_credentials grant (internal/emulator/README.md §10.5).
type AccessToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}
