package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Bearer tokens of the test users: two admins and a member of one org.
const (
	adminToken      = "admin-token"
	memberToken     = "member-token"
	otherAdminToken = "other-admin-token"
)

func testUsers() map[string]emulator.User {
	return map[string]emulator.User{
		adminToken:      {ID: emulator.StableID("alice"), OrgID: emulator.DefaultOrgID, Role: "admin"},
		memberToken:     {ID: emulator.StableID("bob"), OrgID: emulator.DefaultOrgID, Role: "member"},
		otherAdminToken: {ID: emulator.StableID("carol"), OrgID: emulator.DefaultOrgID, Role: "admin"},
	}
}

// harness is an emulator behind a real HTTP server.
type harness struct {
	t      *testing.T
	client *http.Client // nil: the server's own client
	emu    *emulator.Emulator
	srv    *httptest.Server
	url    string // server URL, ending in /api/v1
}

func newHarness(t *testing.T, cfg emulator.Config) *harness {
	t.Helper()
	if cfg.Tokens == nil {
		cfg.Tokens = testUsers()
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, emu)
	t.Cleanup(func() {
		if err := emu.Close(); err != nil {
			t.Error(err)
		}
	})
	return &harness{t: t, emu: emu, srv: srv, url: srv.URL + "/api/v1"}
}

// newServer serves emu over HTTP until the test ends.
func newServer(t *testing.T, emu *emulator.Emulator) *httptest.Server {
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return srv
}

// response is a finished exchange, body decoded when it is JSON.
type response struct {
	status int
	header http.Header
	raw    string
	json   map[string]any
}

// errCode and errMessage read PipesHub's error envelope.
func (r *response) errCode() string    { return dig[string](r.json, "error", "code") }
func (r *response) errMessage() string { return dig[string](r.json, "error", "message") }

// dig walks decoded JSON by object keys and array indexes ("0").
func dig[T any](v any, keys ...string) T {
	for _, k := range keys {
		switch c := v.(type) {
		case map[string]any:
			v = c[k]
		case []any:
			v = nil
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(c) {
				v = c[i]
			}
		default:
			v = nil
		}
	}
	out, _ := v.(T)
	return out
}

// req is a request to send: body is JSON-encoded unless it is a string
// (sent as is, as JSON unless contentType says otherwise).
type req struct {
	method, path, token string
	body                any
	contentType         string
	header              http.Header
}

func (h *harness) do(r req) *response {
	h.t.Helper()
	var body io.Reader
	contentType := r.contentType
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	if body != nil && contentType == "" {
		contentType = "application/json"
	}
	hr, err := http.NewRequest(r.method, h.url+r.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, vs := range r.header {
		hr.Header[k] = vs
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	client := h.client
	if client == nil {
		client = h.srv.Client()
	}
	resp, err := client.Do(hr)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	out := &response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.json); err != nil {
			h.t.Fatalf("%s %s: bad JSON %q: %v", r.method, r.path, raw, err)
		}
	}
	return out
}

// createApp creates an app as token and returns the "app" object (with secret).
func (h *harness) createApp(token string, body map[string]any) map[string]any {
	h.t.Helper()
	resp := h.do(req{method: "POST", path: "/oauth-clients", token: token, body: body})
	if resp.status != http.StatusCreated {
		h.t.Fatalf("create: %d %s", resp.status, resp.raw)
	}
	return resp.json["app"].(map[string]any)
}

// ccApp is a create body for a client_credentials app.
func ccApp(name string, scopes ...string) map[string]any {
	if len(scopes) == 0 {
		scopes = []string{"kb:read", "user:read"}
	}
	return map[string]any{"name": name, "allowedGrantTypes": []string{"client_credentials"}, "allowedScopes": scopes}
}

// token asks /oauth2/token for a client_credentials token with client_secret_post.
func (h *harness) token(clientID, secret string, extra map[string]any) *response {
	h.t.Helper()
	body := map[string]any{"grant_type": "client_credentials", "client_id": clientID, "client_secret": secret}
	for k, v := range extra {
		body[k] = v
	}
	return h.do(req{method: "POST", path: "/oauth2/token", body: body})
}

// fakeClock is a settable clock for the emulator.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// emuConfig is the default test configuration: the three test users.
func emuConfig() emulator.Config { return emulator.Config{Tokens: testUsers()} }
