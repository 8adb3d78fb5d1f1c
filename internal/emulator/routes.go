package emulator

import "strings"

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

// matchRoute finds the route of a request path relative to /api/v1 and the
// appId path parameter. Like Express (non-strict, case-insensitive routing) it
// ignores one trailing slash and the case of literal segments; "scopes" is
// declared before "{appId}", so it wins.
func matchRoute(method, path string) (route, appID string) {
	path = strings.TrimSuffix(path, "/")
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	lit := func(i int, want string) bool { return strings.EqualFold(segs[i], want) }
	switch {
	case len(segs) == 2 && lit(0, "oauth2") && lit(1, "token") && method == "POST":
		return RouteToken, ""
	case len(segs) == 2 && lit(0, "oauth2") && lit(1, "revoke") && method == "POST":
		return RouteRevokeToken, ""
	case len(segs) == 2 && lit(0, "oauth2") && lit(1, "introspect") && method == "POST":
		return RouteIntrospectToken, ""
	case len(segs) == 0 || !lit(0, "oauth-clients"):
		return "", ""
	}
	switch len(segs) {
	case 1:
		switch method {
		case "GET":
			return RouteListApps, ""
		case "POST":
			return RouteCreateApp, ""
		}
	case 2:
		if segs[1] == "" {
			return "", ""
		}
		if lit(1, "scopes") && method == "GET" {
			return RouteListScopes, ""
		}
		switch method {
		case "GET":
			return RouteGetApp, segs[1]
		case "PUT":
			return RouteUpdateApp, segs[1]
		case "DELETE":
			return RouteDeleteApp, segs[1]
		}
	case 3:
		if segs[1] == "" {
			return "", ""
		}
		for _, r := range []struct{ method, action, route string }{
			{"POST", "regenerate-secret", RouteRegenerateSecret},
			{"POST", "suspend", RouteSuspendApp},
			{"POST", "activate", RouteActivateApp},
			{"GET", "tokens", RouteListTokens},
			{"POST", "revoke-all-tokens", RouteRevokeAllTokens},
		} {
			if method == r.method && lit(2, r.action) {
				return r.route, segs[1]
			}
		}
	}
	return "", ""
}
