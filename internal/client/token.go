package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const (
	tokenPath  = "/oauth2/token"
	revokePath = "/oauth2/revoke"
)

// ClientCredentialsToken calls POST {base}/oauth2/token with grant_type=client_credentials
// (client_secret_basic). scopes nil = the app's allowed scopes. Errors are *OAuthError
// (token endpoint JSON) or *APIError (app envelope, e.g. 429, VALIDATION_ERROR).
//
// The credentials go in the Basic header as they are: PipesHub splits the
// decoded value at the first ":" and does not URL-decode the halves (internal/emulator/README.md
// §10.2), so RFC 6749's form-encoding of them would break secrets with special
// characters (PipesHub's own are hex and client ids UUIDs, so both agree).
func (c *Client) ClientCredentialsToken(ctx context.Context, clientID, clientSecret string, scopes []string) (*AccessToken, error) {
	if clientID == "" || strings.Contains(clientID, ":") {
		return nil, errors.New("client ID must be non-empty and contain no colon")
	}
	form := url.Values{"grant_type": {GrantClientCredentials}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	return fetch[AccessToken](ctx, c, request{
		method:    http.MethodPost,
		path:      tokenPath,
		form:      form,
		retry:     notRepeatable,
		basicUser: clientID,
		basicPass: clientSecret,
		secrets:   []string{clientSecret},
	})
}

func (t *AccessToken) missing() string {
	if t.AccessToken == "" {
		return "the response has no access_token"
	}
	return ""
}

// RevokeToken calls POST {base}/oauth2/revoke for an access token issued to
// clientID. PipesHub's revoke reads the client only from the body
// (client_secret_post; a Basic header alone fails validation) and answers an
// empty 200 whether or not it found the token, so revoking twice, or a token
// that already expired, is no error. Errors are *OAuthError (invalid_client)
// or *APIError; none holds the secret or the token.
func (c *Client) RevokeToken(ctx context.Context, clientID, clientSecret, token string) error {
	if clientID == "" || token == "" {
		return errors.New("client ID and token must be non-empty")
	}
	form := url.Values{
		"token":           {token},
		"token_type_hint": {"access_token"},
		"client_id":       {clientID},
		"client_secret":   {clientSecret},
	}
	err := c.call(ctx, request{
		method: http.MethodPost,
		path:   revokePath,
		form:   form,
		// Revoking is idempotent: a repeat finds the token revoked and answers the same.
		retry:     repeatable,
		anonymous: true,
		secrets:   []string{clientSecret, token},
	}, nil)
	return err
}

// secretCheckScope is no PipesHub scope, so a token request for it can never
// be granted: the token endpoint checks the client secret before the grant
// type and the scopes (internal/emulator/README.md §10.3 rows 3–5).
const secretCheckScope = "pipeshub-provider:secret-check"

// ErrSecretCheckInconclusive is returned by ClientSecretWorks when PipesHub
// answered before looking at the secret (the app is suspended or gone).
var ErrSecretCheckInconclusive = errors.New("PipesHub did not check the client secret")

// ClientSecretWorks asks PipesHub's token endpoint whether clientSecret is
// the app's current secret, without obtaining a token: it requests a scope
// that does not exist, so a right secret is answered "invalid_scope" (or
// "unsupported_grant_type" for an app without client_credentials) and a wrong
// one "Invalid client credentials" (§10.3). PipesHub refuses a suspended app
// before it compares secrets: ErrSecretCheckInconclusive then.
func (c *Client) ClientSecretWorks(ctx context.Context, clientID, clientSecret string) (bool, error) {
	_, err := c.ClientCredentialsToken(ctx, clientID, clientSecret, []string{secretCheckScope})
	var oauthErr *OAuthError
	switch {
	case err == nil:
		return false, errors.New("PipesHub granted a token for a scope that does not exist")
	case !errors.As(err, &oauthErr):
		return false, err
	case oauthErr.ErrorCode == "invalid_scope" || oauthErr.ErrorCode == "unsupported_grant_type":
		return true, nil
	case oauthErr.ErrorCode == "invalid_client" && oauthErr.Description == "Invalid client credentials":
		return false, nil
	}
	return false, fmt.Errorf("%w: %w", ErrSecretCheckInconclusive, err)
}
