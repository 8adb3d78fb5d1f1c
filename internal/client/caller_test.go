package client

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// unsignedJWT is a compact JWT with the given claims and a dummy signature:
// CallerOf reads claims and never verifies (PipesHub does).
func unsignedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(payload) + ".c2lnbmF0dXJl"
}

func TestCallerOf(t *testing.T) {
	const alice, org = "64b7f1c2a9e4d3b2c1a09f8e", "64b7f1c2a9e4d3b2c1a09f00"
	session := unsignedJWT(t, map[string]any{"userId": alice, "orgId": org, "role": "admin"})
	clientCredentials := unsignedJWT(t, map[string]any{"userId": "3f6c", "orgId": org, "client_id": "3f6c",
		"tokenType": "oauth", "createdBy": alice})
	noCreator := unsignedJWT(t, map[string]any{"userId": "3f6c", "orgId": org, "client_id": "3f6c", "tokenType": "oauth"})

	for name, tc := range map[string]struct {
		token string
		want  Caller
	}{
		"session JWT":                    {session, Caller{UserID: alice, OrgID: org}},
		"personal access token":          {"phpat_" + session, Caller{UserID: alice, OrgID: org}},
		"client_credentials token":       {clientCredentials, Caller{UserID: alice, OrgID: org}},
		"OAuth token without createdBy":  {noCreator, CallerOf(noCreator)},
		"opaque token":                   {"pipeshub-dev-token", CallerOf("pipeshub-dev-token")},
		"three parts that are not a JWT": {"a.b.c", CallerOf("a.b.c")},
	} {
		t.Run(name, func(t *testing.T) {
			got := CallerOf(tc.token)
			if got != tc.want {
				t.Fatalf("CallerOf = %+v, want %+v", got, tc.want)
			}
			if !got.Known() {
				t.Fatal("every caller is known by its user or its token")
			}
			if got.UserID == "" && (len(got.TokenDigest) != 16 || strings.Contains(tc.token, got.TokenDigest)) {
				t.Fatalf("a token naming no user is known by a 16-digit digest, not by itself: %+v", got)
			}
		})
	}
	if CallerOf(noCreator).UserID != "" {
		t.Error("an OAuth token whose userId is its client id names no user")
	}
}

func TestCallerSame(t *testing.T) {
	alice := Caller{UserID: "a", OrgID: "o"}
	for name, tc := range map[string]struct {
		a, b          Caller
		same, certain bool
	}{
		"same user":                    {alice, Caller{UserID: "a", OrgID: "o"}, true, true},
		"same user, token without org": {alice, Caller{UserID: "a"}, true, true},
		"another user":                 {alice, Caller{UserID: "b", OrgID: "o"}, false, true},
		"same user id, another org":    {alice, Caller{UserID: "a", OrgID: "p"}, false, true},
		"same opaque token":            {CallerOf("x"), CallerOf("x"), true, true},
		"another opaque token":         {CallerOf("x"), CallerOf("y"), false, true},
		"a user and an opaque token":   {alice, CallerOf("x"), false, false},
		"nothing recorded":             {Caller{}, alice, false, false},
	} {
		t.Run(name, func(t *testing.T) {
			same, certain := tc.a.Same(tc.b)
			if same != tc.same || certain != tc.certain {
				t.Fatalf("Same = %v, %v; want %v, %v", same, certain, tc.same, tc.certain)
			}
		})
	}
}
