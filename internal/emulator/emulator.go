// Package emulator is a local PipesHub OAuth-clients API, faithful to
// PipesHub request for request: the eleven /oauth-clients endpoints and POST
// /oauth2/token, /revoke and /introspect, rule for rule as PipesHub answers
// them (request pipeline, the rate limiters, error envelope, codes and
// messages, per-user visibility, soft delete), with fault injection and call
// counters for tests.
//
// It must not import internal/client or internal/provider (its tests
// aside): it is what they are tested against, so it must not share their
// mistakes. Of this repository it imports nothing.
//
// README.md in this directory describes that behaviour of PipesHub; code
// and tests across the repository cite it as "internal/emulator/README.md
// §N".
package emulator

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// User is who a bearer token authenticates.
type User struct {
	ID, OrgID, Role string // ID and OrgID: 24 lowercase hex; Role "admin" or "member"
}

// Config configures an Emulator. The zero value answers as PipesHub does
// with its defaults.
type Config struct {
	Tokens map[string]User // bearer token -> user; empty => {"pipeshub-dev-token": an admin}

	// RateLimit is PipesHub's MAX_OAUTH_CLIENT_REQUESTS_PER_MINUTE: requests
	// per user per RateWindow on /oauth-clients/*, and per client IP on
	// /oauth2/token, /revoke and /introspect together; 0 => 1000.
	RateLimit  int
	RateWindow time.Duration // 0 => time.Minute

	// GlobalRateLimit is PipesHub's MAX_REQUESTS_PER_MINUTE: requests per
	// client IP per GlobalRateWindow on every path, counted before
	// authentication, so every user behind one address shares it; 0 => 1000.
	GlobalRateLimit  int
	GlobalRateWindow time.Duration // 0 => time.Minute

	DataFile string // optional JSON persistence, written atomically
	Issuer   string // iss claim of issued tokens, trailing "/" removed; "" => DefaultIssuer
}

// DefaultIssuer is PipesHub's iss when no issuer is configured.
const DefaultIssuer = "http://localhost:3000"

// DefaultToken is the admin bearer token of an emulator configured without tokens.
const DefaultToken = "pipeshub-dev-token"

// DefaultUser is the admin DefaultToken authenticates.
func DefaultUser() User { return User{ID: StableID("admin"), OrgID: DefaultOrgID, Role: roleAdmin} }

// DefaultOrgID is the organisation of the default admin.
var DefaultOrgID = StableID("pipeshub-emulator-org")

// StableID derives a 24-hex id (the shape of a MongoDB ObjectId) from a
// name, so that a user name always maps to the same user id.
func StableID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:12])
}

// Emulator is an http.Handler serving PipesHub's API under /api/v1.
// It is safe for concurrent use.
type Emulator struct {
	cfg        Config
	tokens     map[string]User // bearer token -> user
	usersByID  map[string]User
	signingKey []byte
	now        func() time.Time

	globalLimiter *rateLimiter // every request, per client IP
	userLimiter   *rateLimiter // /oauth-clients/*, per user
	ipLimiter     *rateLimiter // /oauth2/*, per client IP

	mu sync.Mutex // guards st
	st *state

	faultMu sync.Mutex // guards faults and calls
	faults  []*Fault
	calls   map[string]int
}

// New builds an emulator, loading cfg.DataFile when it exists.
func New(cfg Config) (*Emulator, error) {
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = 1000
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = time.Minute
	}
	if cfg.GlobalRateLimit <= 0 {
		cfg.GlobalRateLimit = 1000
	}
	if cfg.GlobalRateWindow <= 0 {
		cfg.GlobalRateWindow = time.Minute
	}
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	tokens := cfg.Tokens
	if len(tokens) == 0 {
		tokens = map[string]User{DefaultToken: DefaultUser()}
	}
	e := &Emulator{
		cfg:           cfg,
		tokens:        map[string]User{},
		usersByID:     map[string]User{},
		signingKey:    make([]byte, 32),
		now:           time.Now,
		globalLimiter: newRateLimiter(cfg.GlobalRateLimit, cfg.GlobalRateWindow, msgTooManyGlobal),
		userLimiter:   newRateLimiter(cfg.RateLimit, cfg.RateWindow, msgTooManyRequests),
		ipLimiter:     newRateLimiter(cfg.RateLimit, cfg.RateWindow, msgTooManyRequests),
		calls:         map[string]int{},
	}
	for token, u := range tokens {
		if token == "" || !isHex24(u.ID) || !isHex24(u.OrgID) || (u.Role != roleAdmin && u.Role != "member") {
			return nil, fmt.Errorf("emulator: user %q must have a 24-hex ID and OrgID and the role admin or member", u.ID)
		}
		e.tokens[token] = u
		e.usersByID[u.ID] = u
	}
	if _, err := rand.Read(e.signingKey); err != nil {
		return nil, err
	}
	if err := checkDataDir(cfg.DataFile); err != nil {
		return nil, err
	}
	st, err := loadState(cfg.DataFile)
	if err != nil {
		return nil, err
	}
	e.st = st
	return e, nil
}

func isHex24(s string) bool {
	if len(s) != 24 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Close writes the state to Config.DataFile, if any.
func (e *Emulator) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cfg.DataFile == "" {
		return nil
	}
	return e.st.save(e.cfg.DataFile)
}

// ServeHTTP serves /api/v1/..., so httptest.NewServer(e).URL+"/api/v1" is a
// PipesHub server URL.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !serveCORS(w, r) {
		return
	}
	m := matchRequest(r.Method, r.URL.EscapedPath())
	handle := func(w http.ResponseWriter, r *http.Request) { e.serve(w, r, m) }
	if m.route != "" {
		if f := e.countAndTakeFault(m.route, m.appID); f != nil {
			e.serveFault(w, r, f, handle)
			return
		}
	}
	handle(w, r)
}

// serve runs PipesHub's pipeline (internal/emulator/README.md §3) after
// the CORS layer: body parser, XSS layer (body and query), the global
// limiter; then the /oauth2 routes with their own limiter; under
// /oauth-clients authentication and the per-user limiter, then the route's
// validation, lookup and service; anything else falls through to the SPA
// page or Express's 404 page.
func (e *Emulator) serve(w http.ResponseWriter, r *http.Request, m match) {
	in, err := readInput(r)
	if err != nil {
		writeError(w, internalError())
		return
	}
	if !in.sanitize() {
		writeError(w, newError(http.StatusBadRequest, codeBadRequest, msgXSS))
		return
	}
	// The global limiter meets every request before authentication, keyed
	// by client IP, so all users behind one address share it.
	if !e.globalLimiter.admit(w, "ip:"+clientIP(r), e.now()) {
		return
	}
	switch {
	case m.route == RouteToken:
		serveOAuth(e, w, r, in, parseTokenRequest, e.serveToken)
		return
	case m.route == RouteRevokeToken:
		serveOAuth(e, w, r, in, parseClientTokenRequest, e.serveRevoke)
		return
	case m.route == RouteIntrospectToken:
		serveOAuth(e, w, r, in, parseClientTokenRequest, e.serveIntrospect)
		return
	case !m.clients:
		writeUnmatched(w, r)
		return
	}
	user, apiErr := e.authenticate(r)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	noteUser(r, user)
	if !e.userLimiter.admit(w, "oauth-client:user:"+user.ID, e.now()) {
		return
	}
	switch {
	case m.route == "":
		writeUnmatched(w, r)
		return
	case m.badParam:
		writeError(w, internalError())
		return
	}
	in.appID = m.appID
	status, body, apiErr := e.serveApps(m.route, user, in)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	if raw, ok := body.(rawJSON); ok {
		writeRaw(w, status, "application/json; charset=utf-8", raw)
		return
	}
	writeJSON(w, status, body)
}

// rawJSON is a response body already encoded (to keep a key order).
type rawJSON []byte

// authenticate resolves the bearer token (internal/emulator/README.md §2): a configured user
// token, or an OAuth access token issued by /oauth2/token, which acts as the
// app's creator.
func (e *Emulator) authenticate(r *http.Request) (User, *apiError) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if scheme != "Bearer" || token == "" {
		return User{}, newError(http.StatusUnauthorized, codeUnauthorized, msgNoToken)
	}
	if u, ok := e.tokens[token]; ok {
		return u, nil
	}
	return e.authenticateAccessToken(strings.TrimPrefix(token, "phpat_"))
}

// RequestInfo is what the emulator learnt about a request, for a log line:
// the user its bearer token authenticated, if it got that far.
type RequestInfo struct {
	User          User
	Authenticated bool
}

type requestInfoKey struct{}

// WithRequestInfo returns a context under which the emulator fills info
// while it serves a request with that context; read info once ServeHTTP
// has returned.
func WithRequestInfo(ctx context.Context, info *RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

// noteUser records the authenticated user in the request's RequestInfo, if any.
func noteUser(r *http.Request, u User) {
	if info, ok := r.Context().Value(requestInfoKey{}).(*RequestInfo); ok && info != nil {
		info.User, info.Authenticated = u, true
	}
}
