package client

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// personalAccessTokenPrefix is what PipesHub puts before the JWT of a
// personal access token, and strips before verifying it
// (internal/emulator/README.md §2).
const personalAccessTokenPrefix = "phpat_"

// Caller is the PipesHub user a bearer token acts as, as far as the token
// itself says. PipesHub shows an app only to the user who created it
// (internal/emulator/README.md §2), so "who is calling" decides whether a
// 404 means "deleted" or "someone else's": the provider keeps the Caller that
// created or last read each app and compares.
//
// Every token PipesHub issues is a JWT that names its user (§2, §10.5): a
// session JWT and a personal access token carry userId and orgId, and an
// OAuth client_credentials token acts as the creator of its app, named by
// its createdBy claim (its userId is the app's client id). The claims are
// read, not verified: PipesHub verifies the token on every call, and a
// forged one gets no answer to compare. A token that is not a JWT (the
// emulator's configured tokens) names no user; it is then known by a digest
// of itself, so that the same token is recognised and any other one is not.
type Caller struct {
	UserID string `json:"user_id,omitempty"`
	OrgID  string `json:"org_id,omitempty"`
	// TokenDigest is set only when the token names no user: the first 16
	// hex digits of its SHA-256, which identify it without revealing it.
	TokenDigest string `json:"token_sha256,omitempty"`
}

// CallerOf reads who bearerToken acts as. It never fails: a token it cannot
// read is known by its digest.
func CallerOf(bearerToken string) Caller {
	if claims, ok := jwtClaims(strings.TrimPrefix(bearerToken, personalAccessTokenPrefix)); ok {
		// PipesHub's gateway takes the user from createdBy when present (an
		// OAuth token acts as its app's creator), else from userId, which
		// for a client_credentials token without createdBy is the client id
		// and names no user.
		user := claims.CreatedBy
		if user == "" && claims.UserID != claims.ClientID {
			user = claims.UserID
		}
		if user != "" {
			return Caller{UserID: user, OrgID: claims.OrgID}
		}
	}
	sum := sha256.Sum256([]byte(bearerToken))
	return Caller{TokenDigest: hex.EncodeToString(sum[:8])}
}

type tokenClaims struct {
	UserID    string `json:"userId"`
	OrgID     string `json:"orgId"`
	ClientID  string `json:"client_id"`
	CreatedBy string `json:"createdBy"`
}

// jwtClaims decodes the payload of a compact JWT without verifying it.
func jwtClaims(token string) (tokenClaims, bool) {
	var claims tokenClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		return claims, false
	}
	return claims, true
}

// Known reports whether c holds anything to compare.
func (c Caller) Known() bool { return c.UserID != "" || c.TokenDigest != "" }

// Same reports whether c and other are the same caller, and whether that
// can be told at all: a user named by a JWT and a token known only by its
// digest cannot be compared.
func (c Caller) Same(other Caller) (same, certain bool) {
	switch {
	case c.UserID != "" && other.UserID != "":
		return c.UserID == other.UserID && (c.OrgID == "" || other.OrgID == "" || c.OrgID == other.OrgID), true
	case c.TokenDigest != "" && other.TokenDigest != "":
		return c.TokenDigest == other.TokenDigest, true
	}
	return false, false
}

// String describes c for a person: the user and organisation ids, or which
// token it is.
func (c Caller) String() string {
	switch {
	case c.UserID != "" && c.OrgID != "":
		return fmt.Sprintf("PipesHub user %s (organisation %s)", c.UserID, c.OrgID)
	case c.UserID != "":
		return "PipesHub user " + c.UserID
	case c.TokenDigest != "":
		return "the user of a bearer token that names no user (SHA-256 " + c.TokenDigest + "…)"
	}
	return "an unknown user"
}
