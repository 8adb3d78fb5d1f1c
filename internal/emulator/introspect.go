package emulator

import (
	"net/http"
	"strings"
)

// introspection is introspect's answer for an active client_credentials
// token, in PipesHub's key order (internal/emulator/README.md §10.7): user_id is the client id
// and there is no username.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope"`
	ClientID  string `json:"client_id"`
	TokenType string `json:"token_type"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	UserID    string `json:"user_id"`
	Iss       string `json:"iss"`
	Jti       string `json:"jti"`
}

// inactive is introspect's answer for every token it does not vouch for.
var inactive = map[string]bool{"active": false}

// serveIntrospect is POST /oauth2/introspect once introspectSchema passed
// (internal/emulator/README.md §10.7).
func (e *Emulator) serveIntrospect(w http.ResponseWriter, _ *http.Request, req *clientTokenRequest) {
	body, oerr := e.introspect(req)
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// introspect refuses an unknown, suspended or wrong-secret client and
// otherwise answers {"active":false} for anything but a live access token
// issued to the caller: revoked, expired, badly signed, another client's,
// a phpat_ token, and any other error, including an absent secret.
func (e *Emulator) introspect(req *clientTokenRequest) (any, *oauthError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	app, oerr := e.verifyClient(req.clientID, req.clientSecret)
	switch {
	case oerr != nil && oerr.status == http.StatusUnauthorized:
		return nil, oerr
	case oerr != nil, req.tokenTypeHint == "refresh_token", strings.HasPrefix(req.token, "phpat_"):
		return inactive, nil
	}
	claims, err := e.parseAccessToken(req.token)
	if err != nil {
		return inactive, nil
	}
	hash := hashToken(req.token)
	for _, t := range e.st.Tokens {
		if t.TokenHash == hash && t.ClientID == app.ClientID && !t.IsRevoked {
			return &introspection{
				Active: true, Scope: claims.Scope, ClientID: claims.ClientID, TokenType: "Bearer",
				Exp: claims.Exp, Iat: claims.Iat, UserID: claims.UserID, Iss: claims.Iss, Jti: claims.Jti,
			}, nil
		}
	}
	return inactive, nil
}
