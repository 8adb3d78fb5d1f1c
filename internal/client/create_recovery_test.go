package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// expectApps checks how many apps the emulator's admin has and returns them.
func expectApps(t *testing.T, c *Client, want int) []App {
	t.Helper()
	apps, err := c.ListAllApps(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != want {
		t.Fatalf("%d apps on the server, want %d", len(apps), want)
	}
	return apps
}

// expectWorkingSecret checks a secret at the token endpoint.
func expectWorkingSecret(t *testing.T, c *Client, app *AppWithSecret) {
	t.Helper()
	if _, err := c.ClientCredentialsToken(context.Background(), app.ClientID, app.ClientSecret, nil); err != nil {
		t.Fatalf("the secret of %s does not work: %v", app.ID, err)
	}
}

// expectRecovered checks that a create whose answer was lost came back as
// the one app there is, with a working secret.
func expectRecovered(t *testing.T, c *Client, created *CreatedApp, err error) {
	t.Helper()
	if err != nil || !created.Recovered {
		t.Fatalf("%+v, %v", created, err)
	}
	expectApps(t, c, 1)
	expectWorkingSecret(t, c, &created.AppWithSecret)
}

// TestCreateAppSafelyUnderFaults: whatever happens to the answer, one app
// exists afterwards and the caller holds a working secret for it.
func TestCreateAppSafelyUnderFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		fault           emulator.Fault
		recovered       bool
		posts, regens   int
		beyondNeverSent bool
	}{
		{"answer lost after apply", emulator.Fault{DropAfterApply: true}, true, 1, 1, false},
		{"applied then 500", emulator.Fault{ApplyThenStatus: 500}, true, 1, 1, false},
		{"applied then 502", emulator.Fault{ApplyThenStatus: 502}, true, 1, 1, false},
		{"applied then 504", emulator.Fault{ApplyThenStatus: 504}, true, 1, 1, false},
		{"applied, truncated body", emulator.Fault{ApplyThenBody: emulator.BodyTruncated}, true, 1, 1, false},
		{"applied, malformed body", emulator.Fault{ApplyThenBody: emulator.BodyMalformed}, true, 1, 1, false},
		{"500 before apply", emulator.Fault{Status: 500}, false, 2, 0, false},
		{"502 twice before apply", emulator.Fault{Status: 502, Count: 2}, false, 3, 0, false},
		{"429", emulator.Fault{Status: 429}, false, 2, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu, c, _ := emulatorClient(t, nil)
			tc.fault.Route = emulator.RouteCreateApp
			emu.InjectFault(tc.fault)
			created, err := c.CreateAppSafely(context.Background(), clientCredentialsApp("safe"))
			if err != nil {
				t.Fatal(err)
			}
			if created.Recovered != tc.recovered || created.SecretError != nil {
				t.Errorf("recovered %v (secret error %v), want %v", created.Recovered, created.SecretError, tc.recovered)
			}
			if emu.Calls(emulator.RouteCreateApp) != tc.posts || emu.Calls(emulator.RouteRegenerateSecret) != tc.regens {
				t.Errorf("calls %v, want %d creates and %d regenerates", emu.CallCounts(), tc.posts, tc.regens)
			}
			apps := expectApps(t, c, 1)
			if apps[0].ID != created.ID {
				t.Errorf("holds %s, the server has %s", created.ID, apps[0].ID)
			}
			expectWorkingSecret(t, c, &created.AppWithSecret)
		})
	}
}

// TestCreateAppSafelyRecoveryLookupRetried: one 500 on the lookup does not
// orphan the app.
func TestCreateAppSafelyRecoveryLookupRetried(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
	emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 500})
	created, err := c.CreateAppSafely(context.Background(), clientCredentialsApp("lookup"))
	expectRecovered(t, c, created, err)
}

// TestCreateAppSafelySecretLost: a regenerate that keeps failing leaves the
// adopted app without a secret, and says why, rather than failing the create.
func TestCreateAppSafelySecretLost(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, func(cfg *Config) { cfg.MaxRetries = 1 })
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true})
	emu.InjectFault(emulator.Fault{Route: emulator.RouteRegenerateSecret, Status: 500, Count: 2})
	created, err := c.CreateAppSafely(context.Background(), clientCredentialsApp("no secret"))
	if err != nil || !created.Recovered || created.ClientSecret != "" || created.SecretError == nil {
		t.Fatalf("%+v, %v", created, err)
	}
	expectApps(t, c, 1)
}

// TestCreateAppSafelyNeverAdoptsAnOlderApp: an identical app created by
// someone else just before is not taken when the create failed unapplied.
func TestCreateAppSafelyNeverAdoptsAnOlderApp(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	other, err := c.CreateApp(context.Background(), clientCredentialsApp("twin"))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // later than the Date headers' one-second resolution
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Status: http.StatusBadGateway})
	created, err := c.CreateAppSafely(context.Background(), clientCredentialsApp("twin"))
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == other.ID || created.Recovered || emu.Calls(emulator.RouteRegenerateSecret) != 0 {
		t.Fatalf("took the other app: %s (other %s), calls %v", created.ID, other.ID, emu.CallCounts())
	}
	expectApps(t, c, 2)
	expectWorkingSecret(t, c, other)
	expectWorkingSecret(t, c, &created.AppWithSecret)
}

// TestCreateAppSafelyIdenticalSiblings: identical creates of one client,
// some of whose answers are lost, end with one app each and no orphan.
func TestCreateAppSafelyIdenticalSiblings(t *testing.T) {
	t.Parallel()
	for _, lost := range []int{1, 2, 3} {
		emu, c, _ := emulatorClient(t, nil)
		emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, DropAfterApply: true, Count: lost})
		const siblings = 3
		var wg sync.WaitGroup
		results := make([]*CreatedApp, siblings)
		errs := make([]error, siblings)
		for i := range siblings {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = c.CreateAppSafely(context.Background(), clientCredentialsApp("sibling"))
			}()
		}
		wg.Wait()
		seen := map[string]bool{}
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("%d lost: sibling %d: %v", lost, i, errs[i])
			}
			if seen[r.ID] {
				t.Fatalf("%d lost: two siblings hold %s", lost, r.ID)
			}
			seen[r.ID] = true
			expectWorkingSecret(t, c, &r.AppWithSecret)
		}
		for _, app := range expectApps(t, c, siblings) {
			if !seen[app.ID] {
				t.Fatalf("%d lost: orphan %s", lost, app.ID)
			}
		}
	}
}

// TestCreateAppSafelyAmbiguous: when more matching apps appeared than this
// client can account for, none is adopted and the error lists them.
func TestCreateAppSafelyAmbiguous(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	other, _ := newTestClient(t, c.BaseURL(), nil) // another process with the same credential
	// This client's create is held before PipesHub applies it, then answered
	// 500; meanwhile the other process creates an identical app.
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Delay: time.Second, ApplyThenStatus: 500})
	result := make(chan error, 1)
	go func() {
		_, err := c.CreateAppSafely(context.Background(), clientCredentialsApp("crowd"))
		result <- err
	}()
	for emu.Calls(emulator.RouteCreateApp) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := other.CreateApp(context.Background(), clientCredentialsApp("crowd")); err != nil {
		t.Fatal(err)
	}
	err := <-result
	var lost *LostCreateError
	if !errors.As(err, &lost) || len(lost.Candidates) != 2 {
		t.Fatalf("want a LostCreateError with 2 candidates, got %v", err)
	}
	if emu.Calls(emulator.RouteRegenerateSecret) != 0 {
		t.Errorf("regenerated a secret of an app it did not adopt: %v", emu.CallCounts())
	}
}

// TestCreateAppSafelyTimeoutBeforeApply: a create that hangs past the
// deadline without being applied is not repeated and leaves nothing behind.
func TestCreateAppSafelyTimeoutBeforeApply(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, Delay: 3 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.CreateAppSafely(ctx, clientCredentialsApp("slow"))
	var lost *LostCreateError
	if !errors.As(err, &lost) || lost.LookupError != nil || len(lost.Candidates) != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a LostCreateError that found nothing, got %v", err)
	}
	if emu.Calls(emulator.RouteCreateApp) != 1 || emu.Calls(emulator.RouteListApps) != 1 {
		t.Errorf("calls %v", emu.CallCounts())
	}
	expectApps(t, c, 0)
}

// TestCreateAppSafelyTimeoutAfterApply: an answer held past the deadline
// after the app was created is recovered on a context of its own.
func TestCreateAppSafelyTimeoutAfterApply(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, ApplyThenHang: 3 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	created, err := c.CreateAppSafely(ctx, clientCredentialsApp("hung"))
	expectRecovered(t, c, created, err)
}

// TestInterruptLetsSentWriteFinish: cancelling the context of a write that
// is waiting for its answer lets the answer arrive within the grace; a
// cancellation before anything was sent, or past the grace, ends it.
func TestInterruptLetsSentWriteFinish(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		grace time.Duration
		ok    bool
	}{
		{"within the grace", 2 * time.Second, true},
		{"past the grace", 100 * time.Millisecond, false},
		{"no grace", -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu, c, _ := emulatorClient(t, func(cfg *Config) { cfg.InterruptGrace = tc.grace })
			emu.InjectFault(emulator.Fault{Route: emulator.RouteCreateApp, ApplyThenHang: 500 * time.Millisecond})
			ctx, cancel := context.WithCancel(context.Background())
			go func() { // interrupt once PipesHub holds the request
				for emu.Calls(emulator.RouteCreateApp) == 0 {
					time.Sleep(5 * time.Millisecond)
				}
				cancel()
			}()
			created, err := c.CreateApp(ctx, clientCredentialsApp("interrupted"))
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				expectWorkingSecret(t, c, created)
				return
			}
			if !errors.Is(err, context.Canceled) || !MayHaveApplied(err) {
				t.Fatalf("want a cancelled request that may have applied, got %v", err)
			}
		})
	}
	t.Run("cancelled before sending", func(t *testing.T) {
		t.Parallel()
		emu, c, _ := emulatorClient(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.CreateApp(ctx, clientCredentialsApp("never")); !errors.Is(err, context.Canceled) || MayHaveApplied(err) {
			t.Fatalf("want a cancelled request that never left, got %v", err)
		}
		if emu.Calls(emulator.RouteCreateApp) != 0 {
			t.Errorf("calls %v", emu.CallCounts())
		}
	})
}

// TestSuspendConfirmedAfterLostAnswer: a suspend whose answer is lost is
// retried, gets "already suspended", and one GET confirms it.
func TestSuspendConfirmedAfterLostAnswer(t *testing.T) {
	t.Parallel()
	for _, fault := range []emulator.Fault{{DropAfterApply: true}, {ApplyThenStatus: 500}, {ApplyThenStatus: 503}} {
		emu, c, _ := emulatorClient(t, nil)
		created, err := c.CreateApp(context.Background(), clientCredentialsApp("status"))
		if err != nil {
			t.Fatal(err)
		}
		fault.Route = emulator.RouteSuspendApp
		emu.InjectFault(fault)
		emu.ResetCalls()
		app, err := c.SuspendApp(context.Background(), created.ID)
		if err != nil || app.Status != StatusSuspended {
			t.Fatalf("%+v: %+v, %v", fault, app, err)
		}
		if emu.Calls(emulator.RouteSuspendApp) != 2 || emu.Calls(emulator.RouteGetApp) != 1 {
			t.Errorf("%+v: calls %v", fault, emu.CallCounts())
		}
	}
}

// startRestartableEmulator serves an emulator on a port that can refuse
// connections for a while, as a server that is down or restarting does.
func startRestartableEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Tokens: testUsers})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.StartServer(emu, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestRefusedConnectionFailsFast: a server that is down fails a request
// within seconds, recognisably, after a couple of retries.
func TestRefusedConnectionFailsFast(t *testing.T) {
	t.Parallel()
	srv := startRestartableEmulator(t)
	c, logger := newTestClient(t, srv.URL(), func(cfg *Config) { cfg.MaxRetries = 10 })
	srv.RefuseConnections(time.Minute)
	_, err := c.GetApp(context.Background(), testAppID)
	if !IsUnreachable(err) {
		t.Fatalf("want a refused connection, got %v", err)
	}
	if n := logger.count("WARN retrying"); n != maxDialRetries {
		t.Errorf("%d retries of a refused connection, want %d", n, maxDialRetries)
	}
}

// TestRefusedConnectionWaitsForARestart: a server back within the retries is reached.
func TestRefusedConnectionWaitsForARestart(t *testing.T) {
	t.Parallel()
	srv := startRestartableEmulator(t)
	c, _ := newTestClient(t, srv.URL(), func(cfg *Config) { cfg.RetryWaitMin, cfg.RetryWaitMax = 200*time.Millisecond, time.Second })
	srv.RefuseConnections(250 * time.Millisecond)
	if _, err := c.ListApps(context.Background(), ListAppsParams{}); err != nil {
		t.Fatal(err)
	}
}

// TestServerClockBounds: Date headers bound PipesHub's clock to within the
// round trip, and narrow with every answer.
func TestServerClockBounds(t *testing.T) {
	t.Parallel()
	local := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	skew := 42*time.Second + 300*time.Millisecond // the server is ahead
	var clock serverClock
	if _, _, ok := clock.bounds(local); ok {
		t.Fatal("bounds known before any answer")
	}
	for _, sentAt := range []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond} {
		sent := local.Add(sentAt)
		serverNow := sent.Add(skew + 10*time.Millisecond)
		h := http.Header{"Date": {serverNow.Format(http.TimeFormat)}}
		clock.observe(h, sent, sent.Add(20*time.Millisecond))
	}
	earliest, latest, ok := clock.bounds(local)
	truth := local.Add(skew)
	if !ok || earliest.After(truth) || latest.Before(truth) {
		t.Fatalf("bounds %v..%v exclude %v", earliest, latest, truth)
	}
	if width := latest.Sub(earliest); width > 300*time.Millisecond {
		t.Errorf("bounds %v wide after four answers a quarter second apart", width)
	}
}
