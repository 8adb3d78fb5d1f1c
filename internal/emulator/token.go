package emulator

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// serveOAuth is the opening /oauth2/token, /revoke and /introspect share
// after the global limiter (internal/emulator/README.md §10.1): the token
// limiter, one instance for the three keyed by client IP, then the route's
// schema; serve gets the parsed body.
func serveOAuth[T any](e *Emulator, w http.ResponseWriter, r *http.Request, in *input,
	parse func(body any) (*T, *apiError), serve func(http.ResponseWriter, *http.Request, *T)) {
	if !e.ipLimiter.admit(w, "oauth-client:ip:"+clientIP(r), e.now()) {
		return
	}
	req, apiErr := parse(in.body)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	serve(w, r, req)
}

// serveToken is POST /oauth2/token once tokenSchema passed
// (internal/emulator/README.md §10.2-§10.5): client authentication and the
// grant.
func (e *Emulator) serveToken(w http.ResponseWriter, r *http.Request, req *tokenRequest) {
	// client_secret_basic overrides the body when the header decodes to id:secret.
	if basic, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic "); ok {
		if raw, err := base64.StdEncoding.DecodeString(basic); err == nil {
			if id, secret, ok := strings.Cut(string(raw), ":"); ok {
				req.clientID, req.clientSecret = id, &secret
			}
		}
	}
	if req.clientID == "" {
		writeOAuthError(w, &oauthError{status: http.StatusUnauthorized, Error: "invalid_client", Description: "client_id is required"})
		return
	}
	body, oerr := e.grant(req)
	if oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, body)
}

// clientIP is how PipesHub's limiters key a request: the first
// X-Forwarded-For entry (when not empty), X-Real-IP, then the socket.
func clientIP(r *http.Request) string {
	if first, _, _ := strings.Cut(r.Header.Get("X-Forwarded-For"), ","); first != "" {
		return strings.TrimSpace(first)
	}
	if ip := r.Header.Get("X-Real-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// consentOnlyScopes are validated, then dropped from client_credentials grants.
var consentOnlyScopes = []string{"openid", "profile", "email", "offline_access"}

// grant runs the controller's checks for the grant type
// (internal/emulator/README.md §10.3) and mints a token for
// client_credentials. The user grants first require their code or refresh
// token, then check the client; the emulator has no codes or refresh tokens
// to redeem, so a request that gets that far fails as an unknown one does.
func (e *Emulator) grant(req *tokenRequest) (*tokenResponse, *oauthError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	invalidGrant := func(description string) *oauthError {
		return &oauthError{status: http.StatusBadRequest, Error: "invalid_grant", Description: description}
	}
	switch req.grantType {
	case grantAuthorizationCode:
		switch {
		case req.code == "":
			return nil, invalidGrant("code is required")
		case req.redirectURI == "":
			return nil, invalidGrant("redirect_uri is required")
		}
		if oerr := e.checkUserGrant(req, grantAuthorizationCode); oerr != nil {
			return nil, oerr
		}
		return nil, invalidGrant("Invalid authorization code")
	case grantRefreshToken:
		if req.refreshToken == "" {
			return nil, invalidGrant("refresh_token is required")
		}
		if oerr := e.checkUserGrant(req, grantRefreshToken); oerr != nil {
			return nil, oerr
		}
		return nil, invalidGrant("Invalid refresh token")
	}
	app, oerr := e.verifyClient(req.clientID, req.clientSecret)
	if oerr != nil {
		return nil, oerr
	}
	if !slices.Contains(app.AllowedGrantTypes, grantClientCredentials) {
		return nil, &oauthError{status: http.StatusBadRequest, Error: "unsupported_grant_type", Description: "client_credentials grant not allowed for this app"}
	}
	requested := strings.Fields(req.scope)
	if len(requested) == 0 {
		requested = app.AllowedScopes
	}
	var unknown, notAllowed []string
	for _, s := range requested {
		if _, ok := scopeByName[s]; !ok {
			unknown = append(unknown, s)
		} else if !slices.Contains(app.AllowedScopes, s) {
			notAllowed = append(notAllowed, s)
		}
	}
	if len(unknown) > 0 {
		return nil, &oauthError{status: http.StatusBadRequest, Error: "invalid_scope", Description: "Invalid scopes: " + strings.Join(unknown, ", ")}
	}
	if len(notAllowed) > 0 {
		return nil, &oauthError{status: http.StatusBadRequest, Error: "invalid_scope", Description: "Scopes not allowed for this app: " + strings.Join(notAllowed, ", ")}
	}
	granted := []string{}
	for _, s := range requested {
		if !slices.Contains(consentOnlyScopes, s) {
			granted = append(granted, s)
		}
	}
	token, err := e.issueToken(app, granted)
	if err != nil {
		return nil, &oauthError{status: http.StatusBadRequest, Error: "server_error", Description: err.Error()}
	}
	if e.cfg.DataFile != "" {
		if err := e.st.save(e.cfg.DataFile); err != nil {
			return nil, &oauthError{status: http.StatusBadRequest, Error: "server_error", Description: err.Error()}
		}
	}
	return &tokenResponse{AccessToken: token, TokenType: "Bearer", ExpiresIn: app.AccessTokenLifetime, Scope: strings.Join(granted, " ")}, nil
}

// checkUserGrant is what the authorization_code and refresh_token grants
// check of the client: the app (getAppByClientId), that it allows the
// grant, then its credentials.
func (e *Emulator) checkUserGrant(req *tokenRequest, grant string) *oauthError {
	app, oerr := e.appByClientID(req.clientID)
	if oerr != nil {
		return oerr
	}
	if !slices.Contains(app.AllowedGrantTypes, grant) {
		return &oauthError{status: http.StatusBadRequest, Error: "unsupported_grant_type", Description: grant + " grant not allowed for this app"}
	}
	_, oerr = e.verifyClient(req.clientID, req.clientSecret)
	return oerr
}

// verifyClient is verifyClientCredentials: getAppByClientId, then the
// secret, with Node's TypeError when the secret is absent (row 3b).
func (e *Emulator) verifyClient(clientID string, secret *string) (*appRecord, *oauthError) {
	app, oerr := e.appByClientID(clientID)
	if oerr != nil {
		return nil, oerr
	}
	if secret == nil {
		return nil, &oauthError{status: http.StatusBadRequest, Error: "server_error",
			Description: `The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received undefined`}
	}
	want, got := sha256.Sum256([]byte(app.Secret)), sha256.Sum256([]byte(*secret))
	if subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		return nil, &oauthError{status: http.StatusUnauthorized, Error: "invalid_client", Description: "Invalid client credentials"}
	}
	return app, nil
}

// appByClientID is getAppByClientId: no org or creator filter, and the
// status reported before any secret is looked at.
func (e *Emulator) appByClientID(clientID string) (*appRecord, *oauthError) {
	var app *appRecord
	for _, a := range e.st.Apps {
		if a.ClientID == clientID && !a.IsDeleted {
			app = a
		}
	}
	switch {
	case app == nil:
		return nil, &oauthError{status: http.StatusUnauthorized, Error: "invalid_client", Description: "Invalid client_id"}
	case app.Status != statusActive:
		return nil, &oauthError{status: http.StatusUnauthorized, Error: "invalid_client", Description: "OAuth app is suspended"}
	}
	return app, nil
}

// accessClaims is the payload of an access token, in PipesHub's claim order
// (internal/emulator/README.md §10.5): a struct, which encodes its fields in
// order, where jwt.MapClaims would sort them. fullName and accountType are
// omitted: the emulator knows neither user names nor org account types.
type accessClaims struct {
	UserID    string `json:"userId"`
	OrgID     string `json:"orgId"`
	Iss       string `json:"iss"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	Jti       string `json:"jti"`
	Scope     string `json:"scope"`
	ClientID  string `json:"client_id"`
	TokenType string `json:"tokenType"`
	CreatedBy string `json:"createdBy"`
}

// accessClaims is a jwt.Claims, so that the parser checks exp; PipesHub's
// tokens have no nbf, sub or aud.
func (c accessClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Exp, 0)), nil
}
func (c accessClaims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Iat, 0)), nil
}
func (c accessClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c accessClaims) GetIssuer() (string, error)              { return c.Iss, nil }
func (c accessClaims) GetSubject() (string, error)             { return "", nil }
func (c accessClaims) GetAudience() (jwt.ClaimStrings, error)  { return nil, nil }

var errNotOAuthToken = errors.New("not an oauth access token")

// Validate (jwt.ClaimsValidator) refuses PipesHub's other JWTs.
func (c accessClaims) Validate() error {
	if c.TokenType != "oauth" {
		return errNotOAuthToken
	}
	return nil
}

// issueToken signs an HS256 JWT and stores its record (hash, scopes, expiry).
func (e *Emulator) issueToken(app *appRecord, scopes []string) (string, error) {
	now := e.now()
	claims := accessClaims{
		UserID: app.ClientID, OrgID: app.OrgID, Iss: e.issuer(), Iat: now.Unix(), Exp: now.Unix() + app.AccessTokenLifetime,
		Jti: newUUID(), Scope: strings.Join(scopes, " "), ClientID: app.ClientID, TokenType: "oauth", CreatedBy: app.CreatedBy,
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(e.signingKey)
	if err != nil {
		return "", err
	}
	e.st.Tokens = append(e.st.Tokens, &tokenRecord{
		ID: newObjectID(now), TokenHash: hashToken(token), ClientID: app.ClientID, OrgID: app.OrgID, Scopes: scopes,
		ExpiresAt: time.Unix(claims.Exp, 0), CreatedAt: now.Truncate(time.Millisecond), Seq: e.st.nextSeq(),
	})
	return token, nil
}

// parseAccessToken returns the claims of one of our oauth access tokens:
// HS256 with the emulator's key, not expired (jwt.ErrTokenExpired), and of
// tokenType oauth.
func (e *Emulator) parseAccessToken(token string) (*accessClaims, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return e.signingKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithTimeFunc(func() time.Time { return e.now() }))
	if err != nil {
		return nil, err
	}
	return &claims, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// issuer is the iss of issued tokens: Config.Issuer (PipesHub's
// configured issuer, DefaultIssuer when none) without its trailing slash.
func (e *Emulator) issuer() string { return strings.TrimRight(e.cfg.Issuer, "/") }

// lastUsedThrottle is how often PipesHub records a token's use.
const lastUsedThrottle = 5 * time.Minute

// authenticateAccessToken accepts an access token from /oauth2/token as
// bearer: signature, expiry, revocation, then the app creator is the caller.
func (e *Emulator) authenticateAccessToken(token string) (User, *apiError) {
	invalid := newError(http.StatusUnauthorized, codeUnauthorized, msgInvalidToken)
	claims, err := e.parseAccessToken(token)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return User{}, newError(http.StatusUnauthorized, "OAUTH_EXPIRED_TOKEN", "Access token has expired")
	case err != nil:
		return User{}, invalid
	}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	hash := hashToken(token)
	for _, t := range e.st.Tokens {
		if t.TokenHash != hash {
			continue
		}
		if t.IsRevoked {
			return User{}, newError(http.StatusUnauthorized, "OAUTH_INVALID_TOKEN", "Token has been revoked")
		}
		if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedThrottle {
			used := now.Truncate(time.Millisecond)
			t.LastUsedAt = &used
		}
		user, ok := e.usersByID[claims.CreatedBy]
		if !ok {
			return User{}, newError(http.StatusUnauthorized, codeUnauthorized, msgUserNotFound)
		}
		return user, nil
	}
	return User{}, invalid
}

// tokenView is an item of GET /oauth-clients/{appId}/tokens for a
// client_credentials access token (no userId, no name).
type tokenView struct {
	ID         string   `json:"id"`
	TokenType  string   `json:"tokenType"`
	Scopes     []string `json:"scopes"`
	CreatedAt  string   `json:"createdAt"`
	ExpiresAt  string   `json:"expiresAt"`
	IsRevoked  bool     `json:"isRevoked"`
	LastUsedAt string   `json:"lastUsedAt,omitempty"`
}

// maxListedTokens is listTokensForApp's cap per token type.
const maxListedTokens = 100

// listTokens is listTokensForApp: live (not revoked, not expired) tokens,
// newest first, at most 100.
func (e *Emulator) listTokens(clientID string, now time.Time) []tokenView {
	var live []*tokenRecord
	for _, t := range e.st.Tokens {
		if t.ClientID == clientID && !t.IsRevoked && t.ExpiresAt.After(now) {
			live = append(live, t)
		}
	}
	slices.SortFunc(live, func(a, b *tokenRecord) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.Seq, a.Seq))
	})
	out := []tokenView{}
	for _, t := range live[:min(len(live), maxListedTokens)] {
		v := tokenView{ID: t.ID, TokenType: "access", Scopes: nonNil(t.Scopes), CreatedAt: formatTime(t.CreatedAt), ExpiresAt: formatTime(t.ExpiresAt)}
		if t.LastUsedAt != nil {
			v.LastUsedAt = formatTime(*t.LastUsedAt)
		}
		out = append(out, v)
	}
	return out
}

// revokeTokens is revokeAllTokensForApp.
func (e *Emulator) revokeTokens(clientID string, now time.Time) {
	for _, t := range e.st.Tokens {
		if t.ClientID == clientID && !t.IsRevoked {
			revokedAt := now
			t.IsRevoked, t.RevokedAt = true, &revokedAt
		}
	}
}
