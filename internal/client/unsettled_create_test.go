package client

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// lostUnsettled makes a create whose recovery lookup fails (the list answers
// 500 beyond the client's one retry) after fault happened to the create, and
// returns what the error leaves to settle, through JSON as a caller stores it.
func lostUnsettled(t *testing.T, emu *emulator.Emulator, c *Client, name string, fault emulator.Fault) UnsettledCreate {
	t.Helper()
	fault.Route = emulator.RouteCreateApp
	emu.InjectFault(fault)
	emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 500, Count: 2})
	_, err := c.CreateAppSafely(context.Background(), clientCredentialsApp(name))
	var lost *LostCreateError
	if !errors.As(err, &lost) || lost.LookupError == nil || lost.Unsettled == nil {
		t.Fatalf("want a LostCreateError whose lookup failed, with what to settle; got %v", err)
	}
	if lost.Unsettled.Sent.IsZero() || lost.Unsettled.Failed.Before(lost.Unsettled.Sent) || lost.Unsettled.Request.Name != name {
		t.Fatalf("unsettled create %+v", lost.Unsettled)
	}
	b, err := json.Marshal(lost.Unsettled)
	if err != nil {
		t.Fatal(err)
	}
	var u UnsettledCreate
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	emu.ClearFaults()
	emu.ResetCalls()
	return u
}

// TestFindUnsettledCreate: a later run (another client) finds the app a
// create whose answer and lookup were both lost made; finds nothing, and
// says so, when an answered create made none; and keeps the create unsettled
// when the lookup fails again or an unanswered create may still be applied.
func TestFindUnsettledCreate(t *testing.T) {
	t.Parallel()
	oneRetry := func(cfg *Config) { cfg.MaxRetries = 1 }

	t.Run("applied, answer lost", func(t *testing.T) {
		t.Parallel()
		emu, c, _ := emulatorClient(t, oneRetry)
		u := lostUnsettled(t, emu, c, "applied", emulator.Fault{DropAfterApply: true})
		if u.Answered {
			t.Error("a lost answer recorded as answered")
		}
		apps := expectApps(t, c, 1)
		emu.ResetCalls()
		next, _ := newTestClient(t, c.BaseURL(), oneRetry)
		app, err := next.FindUnsettledCreate(context.Background(), u)
		if err != nil || app == nil || app.ID != apps[0].ID {
			t.Fatalf("found %+v, %v; want %s", app, err, apps[0].ID)
		}
		if calls := emu.CallCounts(); calls[emulator.RouteListApps] != 1 || len(calls) != 1 {
			t.Errorf("calls %v, want one list", calls)
		}
	})

	t.Run("answered, nothing applied", func(t *testing.T) {
		t.Parallel()
		emu, c, _ := emulatorClient(t, func(cfg *Config) { cfg.MaxRetries = 0 })
		u := lostUnsettled(t, emu, c, "answered", emulator.Fault{Status: 503})
		if !u.Answered {
			t.Error("a 503 recorded as unanswered")
		}
		next, _ := newTestClient(t, c.BaseURL(), oneRetry)
		if app, err := next.FindUnsettledCreate(context.Background(), u); app != nil || err != nil {
			t.Fatalf("found %+v, %v; want nothing", app, err)
		}
		expectApps(t, c, 0)
	})

	t.Run("unanswered, nothing applied yet", func(t *testing.T) {
		t.Parallel()
		emu, c, _ := emulatorClient(t, oneRetry)
		u := lostUnsettled(t, emu, c, "pending", emulator.Fault{ApplyThenStatus: 500})
		u.Answered = false // as after a lost answer: PipesHub may apply the create late
		// The app the create made is older than the create: nothing matches.
		emu.ResetCalls()
		u.Sent, u.Failed = time.Now().Add(time.Hour), time.Now().Add(time.Hour)
		next, _ := newTestClient(t, c.BaseURL(), oneRetry)
		app, err := next.FindUnsettledCreate(context.Background(), u)
		var lost *LostCreateError
		if !errors.As(err, &lost) || app != nil || lost.RetryAfter.Before(u.Failed.Add(lateCreateBound)) || lost.Unsettled == nil {
			t.Fatalf("found %+v, %v; want an error saying to look again after %v", app, err, u.Failed.Add(lateCreateBound))
		}
		// Long after: a late create can no longer come, so nothing is nothing.
		u.Sent, u.Failed = time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)
		if app, err := next.FindUnsettledCreate(context.Background(), u); app != nil || err != nil {
			t.Fatalf("an hour later: found %+v, %v; want nothing", app, err)
		}
		if calls := emu.CallCounts(); calls[emulator.RouteListApps] != 2 || len(calls) != 1 {
			t.Errorf("calls %v, want two lists", calls)
		}
	})

	t.Run("lookup fails again", func(t *testing.T) {
		t.Parallel()
		emu, c, _ := emulatorClient(t, oneRetry)
		u := lostUnsettled(t, emu, c, "again", emulator.Fault{DropAfterApply: true})
		emu.InjectFault(emulator.Fault{Route: emulator.RouteListApps, Status: 503, Count: 2})
		next, _ := newTestClient(t, c.BaseURL(), oneRetry)
		app, err := next.FindUnsettledCreate(context.Background(), u)
		var lost *LostCreateError
		if !errors.As(err, &lost) || app != nil || lost.LookupError == nil || lost.Unsettled == nil || lost.Unsettled.Request.Name != "again" {
			t.Fatalf("found %+v, %v; want a failed lookup that keeps the create unsettled", app, err)
		}
		if calls := emu.CallCounts(); calls[emulator.RouteListApps] != 2 || len(calls) != 1 {
			t.Errorf("calls %v, want the list and its retry only", calls)
		}
	})

	t.Run("two apps match", func(t *testing.T) {
		t.Parallel()
		emu, c, _ := emulatorClient(t, oneRetry)
		u := lostUnsettled(t, emu, c, "crowd", emulator.Fault{DropAfterApply: true})
		u.Answered = true
		other, _ := newTestClient(t, c.BaseURL(), nil) // an identical app made meanwhile by another process
		if _, err := other.CreateApp(context.Background(), clientCredentialsApp("crowd")); err != nil {
			t.Fatal(err)
		}
		u.Failed = time.Now()
		next, _ := newTestClient(t, c.BaseURL(), oneRetry)
		app, err := next.FindUnsettledCreate(context.Background(), u)
		var lost *LostCreateError
		if !errors.As(err, &lost) || app != nil || len(lost.Candidates) != 2 {
			t.Fatalf("found %+v, %v; want both candidates and none taken", app, err)
		}
	})

	t.Run("an app this client made is not taken", func(t *testing.T) {
		t.Parallel()
		_, c, _ := emulatorClient(t, oneRetry)
		mine, err := c.CreateAppSafely(context.Background(), clientCredentialsApp("mine"))
		if err != nil {
			t.Fatal(err)
		}
		u := UnsettledCreate{Request: clientCredentialsApp("mine"), Sent: time.Now().Add(-time.Hour), Failed: time.Now(), Answered: true}
		if app, err := c.FindUnsettledCreate(context.Background(), u); app != nil || err != nil {
			t.Fatalf("found %+v, %v; want nothing (%s is this client's own)", app, err, mine.ID)
		}
	})
}
