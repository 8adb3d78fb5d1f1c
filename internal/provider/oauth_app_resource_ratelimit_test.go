package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Applies against a rate-limited PipesHub with default provider settings
// complete, with one API call per app per phase. The windows are shorter
// than the real ones so that the tests take seconds, not minutes: what they
// prove (parallel requests queued across several fixed windows, each window
// spent, none failed, 429s only where a new terraform process meets a window
// another spent) does not depend on the window's length. That a wait longer
// than the 60-second per-attempt timeout is not cut by it is proven in
// internal/client (TestPacingWaitIsNotInThePerAttemptTimeout, scaled too).

// limitedEmulator is an emulator allowing limit requests per user per window,
// behind a counter of its 429 answers.
type limitedEmulator struct {
	*emulator.Emulator
	mu       sync.Mutex
	limited  int // 429 answers
	answered int // every answer
}

func newLimitedTestEmulator(t *testing.T, limit int, window time.Duration) (*limitedEmulator, string) {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Tokens: testAccUsers, RateLimit: limit, RateWindow: window})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	le := &limitedEmulator{Emulator: emu}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		emu.ServeHTTP(rec, r)
		le.mu.Lock()
		defer le.mu.Unlock()
		le.answered++
		if rec.status == http.StatusTooManyRequests {
			le.limited++
		}
	}))
	t.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	return le, srv.URL + "/api/v1"
}

func (e *limitedEmulator) counts() (limited, answered int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.limited, e.answered
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// limitedAppsConfig is n apps with the provider's default settings.
func limitedAppsConfig(serverURL string, n int) string {
	return testAccProviderConfig(serverURL, testAccAdminToken) + fmt.Sprintf(`
resource "pipeshub_oauth_app" "app" {
  count               = %d
  name                = "limited ${count.index}"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["openid"]
}
`, n)
}

// testAccLimitedApply applies n apps against limit requests per window,
// checks one create per app, then destroys them with one delete per app.
// Each terraform command is a new provider process that knows nothing of
// the window the one before spent, so it may meet a spent window once: the
// 429s are at most one per command.
func testAccLimitedApply(t *testing.T, n, limit int, window time.Duration) {
	emu, url := newLimitedTestEmulator(t, limit, window)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: limitedAppsConfig(url, n),
			Check: func(*terraform.State) error {
				if got := emu.Calls(emulator.RouteCreateApp); got != n {
					return fmt.Errorf("%d create calls for %d apps, want exactly %d (none answered 429)", got, n, n)
				}
				if got := emu.Calls(emulator.RouteListScopes); got > 2 {
					return fmt.Errorf("%d scope catalogue calls, want at most one per provider process (plan, apply)", got)
				}
				return nil
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("pipeshub_oauth_app.app[0]", tfjsonpath.New("status"), knownvalue.StringExact("active")),
				statecheck.ExpectKnownValue(fmt.Sprintf("pipeshub_oauth_app.app[%d]", n-1), tfjsonpath.New("client_secret"), knownvalue.StringRegexp(hex64)),
			},
		}},
		// The calls are counted before expectAppsDestroyed adds its own.
		CheckDestroy: resource.ComposeTestCheckFunc(func(*terraform.State) error {
			if got := emu.Calls(emulator.RouteDeleteApp); got != n {
				return fmt.Errorf("%d delete calls for %d apps, want exactly %d", got, n, n)
			}
			limited, answered := emu.counts()
			// The terraform commands of the case (plan and apply, the refresh
			// and plans after it, destroy) meet a spent window at most once each.
			const commands = 8
			if limited > commands {
				return fmt.Errorf("%d of %d answers were 429s: pacing should meet a spent window at most once per command", limited, answered)
			}
			t.Logf("%d requests, %d answered 429", answered, limited)
			return nil
		}, expectAppsDestroyed(limitedCheckClient(t, url))),
	})
}

// limitedCheckClient checks PipesHub after the destroy: the window the
// destroy spent may still be full, so its 429s are waited out.
func limitedCheckClient(t *testing.T, serverURL string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{ServerURL: serverURL, BearerToken: testAccAdminToken, MaxRetries: 5})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAccOAuthApp_rateLimited30PerWindow: 60 apps against 30 requests per
// window (PipesHub limited to 30 per 10 s, scaled to 3 s), default settings.
// It failed before with "rate: Wait(n=1) would exceed context deadline".
func TestAccOAuthApp_rateLimited30PerWindow(t *testing.T) {
	testAccLimitedApply(t, 60, 30, 3*time.Second)
}

// TestAccOAuthApp_rateLimited10PerWindow: an old PipesHub limited to 10
// requests per minute (scaled to 10 per 6 s) still completes a 5-app apply
// and its destroy with no setting changed.
func TestAccOAuthApp_rateLimited10PerWindow(t *testing.T) {
	testAccLimitedApply(t, 5, 10, 6*time.Second)
}
