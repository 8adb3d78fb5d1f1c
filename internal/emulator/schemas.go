package emulator

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Grant types, app statuses and defaults (internal/emulator/README.md §4, §5).
const (
	grantAuthorizationCode = "authorization_code"
	grantClientCredentials = "client_credentials"
	grantRefreshToken      = "refresh_token"

	statusActive    = "active"
	statusSuspended = "suspended"
	statusRevoked   = "revoked"

	defaultAccessTokenLifetime  = 3600
	defaultRefreshTokenLifetime = 2592000

	msgRedirectRequired = "At least one redirect URI is required when authorization_code grant type is enabled"
)

var (
	grantTypes    = []string{grantAuthorizationCode, grantClientCredentials, grantRefreshToken}
	statuses      = []string{statusActive, statusSuspended, statusRevoked}
	defaultGrants = []string{grantAuthorizationCode, grantRefreshToken}
	appIDPattern  = regexp.MustCompile(`^[a-fA-F0-9]{24}$`)
)

// checkAppID is appIdParamsSchema; it runs before the lookup.
func checkAppID(appID string) *apiError {
	if !appIDPattern.MatchString(appID) {
		return newError(400, codeValidation, "Invalid App ID")
	}
	return nil
}

// appFields are the fields create and update share. A nil pointer or slice
// means the body did not contain the field.
type appFields struct {
	name, description                                *string
	redirectURIs, grantTypes, scopes                 []string
	accessTokenLifetime, refreshTokenLifetime        *int64
	homepageURL, privacyPolicyURL, termsOfServiceURL urlField
}

// urlField is an optional URL of the body; on update null clears it.
type urlField struct {
	present bool
	value   *string // nil with present: null
}

type createInput struct {
	appFields
	isConfidential *bool
}

// parseAppFields validates name, description, redirectUris and
// allowedGrantTypes, in schema order.
func parseAppFields(z *zod, body map[string]any) appFields {
	var f appFields
	if v, ok := body["name"]; ok {
		s, _ := z.str(v, stringRule{min: 1, max: 100})
		f.name = &s
	}
	if v, ok := body["description"]; ok {
		s, _ := z.str(v, stringRule{min: -1, max: 500})
		f.description = &s
	}
	if v, ok := body["redirectUris"]; ok {
		f.redirectURIs = z.array(v, -1, 10, func(e any) (string, bool) { return z.str(e, urlString) })
		if f.redirectURIs == nil {
			f.redirectURIs = []string{}
		}
	}
	if v, ok := body["allowedGrantTypes"]; ok {
		f.grantTypes = z.array(v, -1, -1, func(e any) (string, bool) { return z.enum(e, grantTypes) })
		if f.grantTypes == nil {
			f.grantTypes = []string{}
		}
	}
	return f
}

func parseURLField(z *zod, body map[string]any, key string, nullable bool) urlField {
	v, ok := body[key]
	if !ok {
		return urlField{}
	}
	if v == nil && nullable {
		return urlField{present: true}
	}
	s, _ := z.str(v, urlString)
	return urlField{present: true, value: &s}
}

func parseLifetimes(z *zod, body map[string]any, f *appFields) {
	if v, ok := body["accessTokenLifetime"]; ok {
		n, _ := z.integer(v, 300, 86400)
		f.accessTokenLifetime = &n
	}
	if v, ok := body["refreshTokenLifetime"]; ok {
		n, _ := z.integer(v, 3600, 31536000)
		f.refreshTokenLifetime = &n
	}
}

func parseScopes(z *zod, body map[string]any, f *appFields, required bool) {
	v, ok := body["allowedScopes"]
	if !ok {
		if required {
			z.required()
		}
		return
	}
	f.scopes = z.array(v, 1, -1, func(e any) (string, bool) { return z.str(e, plainString) })
	if f.scopes == nil {
		f.scopes = []string{}
	}
}

// parseCreate is createAppSchema with its refine (internal/emulator/README.md §5).
func parseCreate(body any) (*createInput, *apiError) {
	z := &zod{}
	m, ok := z.object(body)
	if !ok {
		return nil, z.err()
	}
	in := &createInput{}
	if _, ok := m["name"]; !ok {
		z.required()
	}
	in.appFields = parseAppFields(z, m)
	parseScopes(z, m, &in.appFields, true)
	in.homepageURL = parseURLField(z, m, "homepageUrl", false)
	in.privacyPolicyURL = parseURLField(z, m, "privacyPolicyUrl", false)
	in.termsOfServiceURL = parseURLField(z, m, "termsOfServiceUrl", false)
	if v, ok := m["isConfidential"]; ok {
		b, _ := z.boolean(v)
		in.isConfidential = &b
	}
	parseLifetimes(z, m, &in.appFields)
	if !z.aborted {
		grants := in.grantTypes
		if grants == nil {
			grants = defaultGrants
		}
		if slices.Contains(grants, grantAuthorizationCode) && len(in.redirectURIs) == 0 {
			z.dirty(msgRedirectRequired)
		}
	}
	return in, z.err()
}

// parseUpdate is updateAppSchema: every field optional, the URLs nullable,
// isConfidential and unknown keys dropped, and the refine only when the body
// has both allowedGrantTypes (with authorization_code) and redirectUris.
func parseUpdate(body any) (*appFields, *apiError) {
	z := &zod{}
	m, ok := z.object(body)
	if !ok {
		return nil, z.err()
	}
	f := parseAppFields(z, m)
	parseScopes(z, m, &f, false)
	f.homepageURL = parseURLField(z, m, "homepageUrl", true)
	f.privacyPolicyURL = parseURLField(z, m, "privacyPolicyUrl", true)
	f.termsOfServiceURL = parseURLField(z, m, "termsOfServiceUrl", true)
	parseLifetimes(z, m, &f)
	if !z.aborted && slices.Contains(f.grantTypes, grantAuthorizationCode) && f.redirectURIs != nil && len(f.redirectURIs) == 0 {
		z.dirty(msgRedirectRequired)
	}
	return &f, z.err()
}

// listQuery is listAppsQuerySchema after parsing.
type listQuery struct {
	page, limit    int
	status, search string
}

// parseListQuery validates page, limit, status and search. page and limit
// go through JavaScript's Number(): "" or absent gives the default.
func parseListQuery(q map[string]any) (*listQuery, *apiError) {
	z := &zod{}
	out := &listQuery{page: 1, limit: 20}
	coerce := func(key string, lo, hi float64, dst *int) {
		v, ok := q[key]
		if !ok || v == "" {
			return
		}
		if n, ok := z.integer(jsNumber(v), lo, hi); ok {
			*dst = int(n)
		}
	}
	coerce("page", 1, math.Inf(1), &out.page)
	coerce("limit", 1, 100, &out.limit)
	if v, ok := q["status"]; ok {
		out.status, _ = z.enum(v, statuses)
	}
	if v, ok := q["search"]; ok {
		out.search, _ = z.str(v, plainString)
	}
	if err := z.err(); err != nil {
		return nil, err
	}
	return out, nil
}

var jsDecimal = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// jsNumber is JavaScript's Number() of a query value.
func jsNumber(v any) any {
	if arr, ok := v.([]any); ok {
		if len(arr) != 1 {
			return math.NaN()
		}
		v = arr[0]
	}
	s, ok := v.(string)
	if !ok {
		return math.NaN()
	}
	s = strings.TrimFunc(s, isJSWhitespace)
	switch {
	case s == "":
		return 0.0
	case jsDecimal.MatchString(s):
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case s == "Infinity" || s == "+Infinity":
		return math.Inf(1)
	case s == "-Infinity":
		return math.Inf(-1)
	}
	for prefix, base := range map[string]int{"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2} {
		if digits, ok := strings.CutPrefix(s, prefix); ok {
			if n, err := strconv.ParseUint(digits, base, 64); err == nil {
				return float64(n)
			}
		}
	}
	return math.NaN()
}

// tokenRequest is tokenSchema (internal/emulator/README.md §10.1) after parsing.
type tokenRequest struct {
	grantType, clientID, scope      string
	code, redirectURI, refreshToken string
	clientSecret                    *string
}

var codeVerifierPattern = regexp.MustCompile(`^[A-Za-z0-9\-._~]{43,128}$`)

func parseTokenRequest(body any) (*tokenRequest, *apiError) {
	z := &zod{}
	m, ok := z.object(body)
	if !ok {
		return nil, z.err()
	}
	out := &tokenRequest{}
	if v, ok := m["grant_type"]; ok {
		out.grantType, _ = z.enum(v, grantTypes)
	} else {
		z.required()
	}
	if v, ok := m["client_id"]; ok {
		out.clientID, _ = z.str(v, stringRule{min: 1, max: -1})
	}
	if v, ok := m["client_secret"]; ok {
		s, _ := z.str(v, plainString)
		out.clientSecret = &s
	}
	if v, ok := m["scope"]; ok {
		out.scope, _ = z.str(v, plainString)
	}
	if v, ok := m["code"]; ok {
		out.code, _ = z.str(v, plainString)
	}
	if v, ok := m["refresh_token"]; ok {
		out.refreshToken, _ = z.str(v, plainString)
	}
	if v, ok := m["redirect_uri"]; ok {
		out.redirectURI, _ = z.str(v, urlString)
	}
	if v, ok := m["code_verifier"]; ok {
		if s, ok := z.str(v, plainString); ok && !codeVerifierPattern.MatchString(s) {
			z.dirty("Invalid")
		}
	}
	return out, z.err()
}

// clientTokenRequest is revokeSchema or introspectSchema (the same fields,
// internal/emulator/README.md §10.7) after parsing.
type clientTokenRequest struct {
	token, clientID, tokenTypeHint string
	clientSecret                   *string
}

var tokenTypeHints = []string{"access_token", "refresh_token"}

// parseClientTokenRequest reads the body only: both schemas require
// client_id, so a caller relying on a Basic header fails here with "Required".
func parseClientTokenRequest(body any) (*clientTokenRequest, *apiError) {
	z := &zod{}
	m, ok := z.object(body)
	if !ok {
		return nil, z.err()
	}
	out := &clientTokenRequest{}
	if v, ok := m["token"]; ok {
		out.token, _ = z.str(v, stringRule{min: 1, max: -1})
	} else {
		z.required()
	}
	if v, ok := m["client_id"]; ok {
		out.clientID, _ = z.str(v, plainString)
	} else {
		z.required()
	}
	if v, ok := m["client_secret"]; ok {
		s, _ := z.str(v, plainString)
		out.clientSecret = &s
	}
	if v, ok := m["token_type_hint"]; ok {
		out.tokenTypeHint, _ = z.enum(v, tokenTypeHints)
	}
	return out, z.err()
}
