package emulator

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Route names used by faults and counters: the method and the route pattern
// relative to /api/v1, as PipesHub's routers declare them.
const (
	RouteListApps         = "GET /oauth-clients"
	RouteCreateApp        = "POST /oauth-clients"
	RouteListScopes       = "GET /oauth-clients/scopes"
	RouteGetApp           = "GET /oauth-clients/{appId}"
	RouteUpdateApp        = "PUT /oauth-clients/{appId}"
	RouteDeleteApp        = "DELETE /oauth-clients/{appId}"
	RouteRegenerateSecret = "POST /oauth-clients/{appId}/regenerate-secret"
	RouteSuspendApp       = "POST /oauth-clients/{appId}/suspend"
	RouteActivateApp      = "POST /oauth-clients/{appId}/activate"
	RouteListTokens       = "GET /oauth-clients/{appId}/tokens"
	RouteRevokeAllTokens  = "POST /oauth-clients/{appId}/revoke-all-tokens"
	RouteToken            = "POST /oauth2/token"
	RouteRevokeToken      = "POST /oauth2/revoke"
	RouteIntrospectToken  = "POST /oauth2/introspect"
)

// apiPrefix is where PipesHub mounts its routers.
const apiPrefix = "/api/v1"

// match is where a request goes in PipesHub's routers.
type match struct {
	route string // a Route constant; "" when no route matches
	appID string // the appId path parameter, percent-decoded as Express decodes it
	// badParam: the appId parameter does not decode (invalid UTF-8), which
	// Express reports as an error, answered with 500.
	badParam bool
	// clients: the path is under /api/v1/oauth-clients, whose router runs
	// authenticate and the per-user limiter before looking at its routes,
	// so even a path none of them matches meets both.
	clients bool
}

// matchRequest finds the route of a request from its method and escaped
// path. Like Express (non-strict, case-insensitive routing) it ignores one
// trailing slash and the case of literal segments, and matches on the path
// as sent: literals never match percent-encoded text, and an encoded slash
// (%2F) stays inside its segment, then is decoded into the parameter.
// "scopes" is declared before "{appId}", so it wins. HEAD is routed as GET.
func matchRequest(method, escapedPath string) match {
	rest, ok := cutPrefixFold(escapedPath, apiPrefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return match{}
	}
	if method == "HEAD" {
		method = "GET"
	}
	segs := strings.Split(strings.TrimPrefix(strings.TrimSuffix(rest, "/"), "/"), "/")
	lit := func(i int, want string) bool { return strings.EqualFold(segs[i], want) }
	switch {
	case len(segs) == 2 && lit(0, "oauth2") && lit(1, "token") && method == "POST":
		return match{route: RouteToken}
	case len(segs) == 2 && lit(0, "oauth2") && lit(1, "revoke") && method == "POST":
		return match{route: RouteRevokeToken}
	case len(segs) == 2 && lit(0, "oauth2") && lit(1, "introspect") && method == "POST":
		return match{route: RouteIntrospectToken}
	case !lit(0, "oauth-clients"):
		return match{}
	}
	m := match{clients: true}
	withApp := func(route string) match {
		m.route = route
		appID, err := url.PathUnescape(segs[1])
		m.appID, m.badParam = appID, err != nil || !utf8.ValidString(appID)
		return m
	}
	switch len(segs) {
	case 1:
		switch method {
		case "GET":
			m.route = RouteListApps
		case "POST":
			m.route = RouteCreateApp
		}
	case 2:
		switch {
		case segs[1] == "":
		case lit(1, "scopes") && method == "GET":
			m.route = RouteListScopes
		case method == "GET":
			return withApp(RouteGetApp)
		case method == "PUT":
			return withApp(RouteUpdateApp)
		case method == "DELETE":
			return withApp(RouteDeleteApp)
		}
	case 3:
		if segs[1] == "" {
			break
		}
		for _, r := range []struct{ method, action, route string }{
			{"POST", "regenerate-secret", RouteRegenerateSecret},
			{"POST", "suspend", RouteSuspendApp},
			{"POST", "activate", RouteActivateApp},
			{"GET", "tokens", RouteListTokens},
			{"POST", "revoke-all-tokens", RouteRevokeAllTokens},
		} {
			if method == r.method && lit(2, r.action) {
				return withApp(r.route)
			}
		}
	}
	return m
}

// cutPrefixFold is strings.CutPrefix ignoring ASCII case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
