package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// createApps creates n apps of the client's user and returns them, oldest
// first.
func createApps(t *testing.T, c *Client, n int) []App {
	t.Helper()
	apps := make([]App, n)
	for i := range apps {
		app, err := c.CreateApp(context.Background(), clientCredentialsApp(fmt.Sprintf("paged %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = app.App
	}
	return apps
}

// idsOf returns the apps' ids.
func idsOf(apps []App) []string {
	ids := make([]string, len(apps))
	for i, app := range apps {
		ids[i] = app.ID
	}
	return ids
}

// readsOf returns a read of each app, with its createdAt as state holds it
// and its place in the listing from places (unknown when absent).
func readsOf(inState []App, places map[string]ListingPlace) []AppRead {
	reads := make([]AppRead, len(inState))
	for i, app := range inState {
		created, _ := time.Parse(time.RFC3339Nano, app.CreatedAt)
		reads[i] = AppRead{ID: app.ID, CreatedAt: created, Place: places[app.ID]}
	}
	return reads
}

// readAll reads every app through r, ten at a time as Terraform refreshes,
// each with its createdAt as state holds it and no place known.
func readAll(r *PagedReads, inState []App) (apps []*App, errs []error) {
	apps, _, errs = readAllPlaced(r, readsOf(inState, nil))
	return apps, errs
}

// readAllPlaced is readAll of reads; it returns the places learned too, by
// app id.
func readAllPlaced(r *PagedReads, reads []AppRead) (apps []*App, places map[string]ListingPlace, errs []error) {
	apps, errs = make([]*App, len(reads)), make([]error, len(reads))
	learned := make([]ListingPlace, len(reads))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 10)
	for i, read := range reads {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			apps[i], learned[i], errs[i] = r.GetApp(context.Background(), read)
		}()
	}
	wg.Wait()
	places = map[string]ListingPlace{}
	for i, read := range reads {
		places[read.ID] = learned[i]
	}
	return apps, places, errs
}

// unlimitedEmulatorClient is an emulator whose limits never bite, and a
// client of its admin: 1000 apps and their reads are far over PipesHub's
// default limits, and the waits would be the whole test.
func unlimitedEmulatorClient(t *testing.T) (*emulator.Emulator, *Client) {
	t.Helper()
	emu, url := newEmulator(t, emulator.Config{RateLimit: 1 << 30, GlobalRateLimit: 1 << 30})
	c, _ := newTestClient(t, url, nil)
	return emu, c
}

// readOneAtATime reads every app through r in order, one after the other,
// with the places in places (unknown when absent), and records in places
// the places learned.
func readOneAtATime(t *testing.T, r *PagedReads, inState []App, places map[string]ListingPlace) {
	t.Helper()
	for _, read := range readsOf(inState, places) {
		_, place, err := r.GetApp(context.Background(), read)
		if err != nil {
			t.Fatal(err)
		}
		if places != nil {
			places[read.ID] = place
		}
	}
}

// sameAsGET checks each read against a GET of the same app afterwards.
func sameAsGET(t *testing.T, c *Client, ids []string, apps []*App, errs []error) {
	t.Helper()
	for i, id := range ids {
		want, wantErr := c.GetApp(context.Background(), id)
		if (errs[i] == nil) != (wantErr == nil) || IsNotFound(errs[i]) != IsNotFound(wantErr) || !reflect.DeepEqual(apps[i], want) {
			t.Errorf("read of %s: %+v, %v; the GET returns %+v, %v", id, apps[i], errs[i], want, wantErr)
		}
	}
}

// The switch rule: the first read goes by GET; more are served from pages
// of 100, the page of each app found from its createdAt: about one call per
// 100 apps, whatever the order of the reads, and no more calls than reads
// whenever a page holds some of them.
func TestPagedReads_callCounts(t *testing.T) {
	t.Parallel()
	emu, c := unlimitedEmulatorClient(t)
	all := createApps(t, c, 1000)
	reversed := slices.Clone(all)
	slices.Reverse(reversed)
	shuffled := slices.Clone(all)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, tc := range []struct {
		name               string
		inState            []App
		minPages, maxPages int
		maxCalls           int // the GETs are the rest
	}{
		{name: "1", inState: all[999:], maxCalls: 1},
		// From the second read on, pages: the newest apps are on page 1.
		{name: "2 newest", inState: all[998:], minPages: 1, maxPages: 1, maxCalls: 2},
		{name: "10 newest", inState: all[990:], minPages: 1, maxPages: 1, maxCalls: 2},
		{name: "100 newest", inState: all[900:], minPages: 1, maxPages: 1, maxCalls: 2},
		// Every page exactly once, whatever the order: 1 GET + 10 pages,
		// plus a GET for each read that asked for its page before the page
		// paid (at most 1 oldest first, in 20 runs; up to 4 shuffled).
		// Oldest first is how Terraform refreshes a count: page 1, then the
		// last page, then each page before it.
		{name: "1000, oldest first", inState: all, minPages: 10, maxPages: 10, maxCalls: 12},
		{name: "1000, newest first", inState: reversed, minPages: 10, maxPages: 10, maxCalls: 17},
		{name: "1000, shuffled", inState: shuffled, minPages: 10, maxPages: 10, maxCalls: 17},
		// 250 of the middle, on pages 5 to 7: page 1 and the last page hold
		// none; the others are found by their createdAt, one may be missed.
		{name: "250 of the middle, oldest first", inState: all[300:550], minPages: 5, maxPages: 6, maxCalls: 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu.ResetCalls()
			r := NewPagedReads(c)
			apps, errs := readAll(r, tc.inState)
			calls := emu.CallCounts()
			gets, pages := calls[emulator.RouteGetApp], calls[emulator.RouteListApps]
			if pages < tc.minPages || pages > tc.maxPages || gets+pages > tc.maxCalls || gets+pages > len(tc.inState) {
				t.Errorf("%d reads: %d GETs and %d pages (stats %+v); want %d to %d pages and at most %d calls in all",
					len(tc.inState), gets, pages, r.Stats(), tc.minPages, tc.maxPages, min(tc.maxCalls, len(tc.inState)))
			}
			t.Logf("%d reads: %d GETs, %d pages", len(tc.inState), gets, pages)
			sameAsGET(t, c, idsOf(tc.inState), apps, errs)
		})
	}
	t.Run("a few old apps of a user with many", func(t *testing.T) {
		// The 10 oldest of 1000: page 1 holds none; the last page holds
		// them, fetched once 2 reads ask for it (1 + pages − served).
		emu.ResetCalls()
		apps, errs := readAll(NewPagedReads(c), all[:10])
		calls := emu.CallCounts()
		gets, pages := calls[emulator.RouteGetApp], calls[emulator.RouteListApps]
		if pages != 2 || gets+pages > 10 {
			t.Errorf("calls %v; want page 1 and the last page, and no more calls than the 10 reads", calls)
		}
		sameAsGET(t, c, idsOf(all[:10]), apps, errs)
	})
	t.Run("the lost bet", func(t *testing.T) {
		// 2 old apps: page 1 holds neither, and 1 read does not pay for
		// another page. The one case of more calls than reads: N + 1.
		emu.ResetCalls()
		apps, errs := readAll(NewPagedReads(c), all[:2])
		calls := emu.CallCounts()
		if calls[emulator.RouteListApps] != 1 || calls[emulator.RouteGetApp] != 2 {
			t.Errorf("calls %v; want 2 GETs and page 1", calls)
		}
		sameAsGET(t, c, idsOf(all[:2]), apps, errs)
	})
	t.Run("a bet is lost once per app", func(t *testing.T) {
		// The lost bet teaches the app that lost it that it sits past page
		// 1; the next refresh does not bet on page 1 for it. Each of the 2
		// apps loses once (the first read of a refresh learns nothing), then
		// 2 reads cost 2 GETs in either order.
		old, places := all[:2], map[string]ListingPlace{}
		for i, tc := range []struct {
			order      []App
			gets, list int
		}{
			{[]App{old[0], old[1]}, 2, 1},
			{[]App{old[1], old[0]}, 2, 1},
			{[]App{old[0], old[1]}, 2, 0},
			{[]App{old[1], old[0]}, 2, 0},
		} {
			emu.ResetCalls()
			readOneAtATime(t, NewPagedReads(c), tc.order, places)
			if calls := emu.CallCounts(); calls[emulator.RouteGetApp] != tc.gets || calls[emulator.RouteListApps] != tc.list {
				t.Errorf("refresh %d: calls %v, places %v; want %d GETs and %d pages", i+1, calls, places, tc.gets, tc.list)
			}
		}
		for _, app := range old {
			if p := places[app.ID]; p.Exact || p.Rank != 100 {
				t.Errorf("place of %s: %+v; want at least 100 (older than page 1's 100 apps)", app.ID, p)
			}
		}
	})
	t.Run("exact places find old apps' page at once", func(t *testing.T) {
		// A refresh of every app teaches each its exact place; then a
		// refresh of a few old apps fetches the one page that holds them.
		places := map[string]ListingPlace{}
		readOneAtATime(t, NewPagedReads(c), all, places)
		exact := 0
		for i, app := range all {
			if p := places[app.ID]; p.Exact {
				exact++
				if p.Rank != len(all)-1-i { // newest first
					t.Errorf("app %d: place %+v; want rank %d", i, p, len(all)-1-i)
				}
			}
		}
		if exact < len(all)-2 {
			t.Errorf("%d of %d apps served from pages learned their place", exact, len(all))
		}
		for _, few := range [][]App{all[10:12], all[500:510]} { // read by pages above
			emu.ResetCalls()
			apps, _, errs := readAllPlaced(NewPagedReads(c), readsOf(few, places))
			if calls := emu.CallCounts(); calls[emulator.RouteGetApp] != 1 || calls[emulator.RouteListApps] != 1 {
				t.Errorf("%d old apps: calls %v; want 1 GET and the page that holds the rest", len(few), calls)
			}
			sameAsGET(t, c, idsOf(few), apps, errs)
		}
	})
	t.Run("no createdAt in state", func(t *testing.T) {
		// Without it an app cannot be placed (an import's first read), and
		// such reads never start the listing: one GET each.
		inState := slices.Clone(all[:10])
		for i := range inState {
			inState[i].CreatedAt = ""
		}
		emu.ResetCalls()
		apps, errs := readAll(NewPagedReads(c), inState)
		calls := emu.CallCounts()
		if calls[emulator.RouteListApps] != 0 || calls[emulator.RouteGetApp] != 10 {
			t.Errorf("calls %v; want a GET for each read and no page", calls)
		}
		sameAsGET(t, c, idsOf(inState), apps, errs)
	})
}

// An app missing from the listing is read by GET: a deleted app and another
// user's answer its 404, a suspended one is listed as it is.
func TestPagedReads_absentAppsGoByGET(t *testing.T) {
	t.Parallel()
	emu, url := newEmulator(t, emulator.Config{})
	c, _ := newTestClient(t, url, nil)
	member, _ := newTestClient(t, url, func(cfg *Config) { cfg.BearerToken = testMemberToken })
	inState := createApps(t, c, 30)
	ids := idsOf(inState)
	ctx := context.Background()
	deleted, suspended := ids[20], ids[21]
	if err := c.DeleteApp(ctx, deleted); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SuspendApp(ctx, suspended); err != nil {
		t.Fatal(err)
	}
	others, err := member.CreateApp(ctx, CreateAppRequest{Name: "member's", AllowedGrantTypes: []string{GrantClientCredentials}, AllowedScopes: []string{"kb:read"}})
	if err != nil {
		t.Fatal(err)
	}
	ids, inState = append(ids, others.ID), append(inState, others.App)
	emu.ResetCalls()
	apps, errs := readAll(NewPagedReads(c), inState)
	calls := emu.CallCounts()
	if calls[emulator.RouteListApps] != 1 || calls[emulator.RouteGetApp] != PagedReadsAfter+2 {
		t.Errorf("calls %v; want 1 page and %d GETs (the first reads, the deleted app, the member's)", calls, PagedReadsAfter+2)
	}
	for i, id := range ids {
		switch id {
		case deleted, others.ID:
			if !IsNotFound(errs[i]) {
				t.Errorf("%s: %+v, %v; want the GET's 404", id, apps[i], errs[i])
			}
		case suspended:
			if errs[i] != nil || apps[i].Status != StatusSuspended {
				t.Errorf("suspended app: %+v, %v", apps[i], errs[i])
			}
		}
	}
	sameAsGET(t, c, ids, apps, errs)
}

// A page that fails, however it fails, ends the listing: every read goes by
// GET and gets the GET's answer, none is taken for a missing app.
func TestPagedReads_failingPage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault emulator.Fault
	}{
		{"500 beyond retries", emulator.Fault{Status: 500}},
		{"429 beyond retries", emulator.Fault{Status: 429}},
		{"cut-off body", emulator.Fault{ApplyThenBody: emulator.BodyTruncated}},
		{"malformed body", emulator.Fault{ApplyThenBody: emulator.BodyMalformed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu, c, logger := emulatorClient(t, func(cfg *Config) { cfg.MaxRetries = 1 })
			inState := createApps(t, c, 20)
			ids := idsOf(inState)
			emu.ResetCalls()
			tc.fault.Route, tc.fault.Count = emulator.RouteListApps, 1000
			emu.InjectFault(tc.fault)
			apps, errs := readAll(NewPagedReads(c), inState)
			emu.ClearFaults()
			calls := emu.CallCounts()
			if calls[emulator.RouteGetApp] != len(ids) || calls[emulator.RouteListApps] != 2 {
				t.Errorf("calls %v; want one page (tried twice), then a GET for each of the %d reads", calls, len(ids))
			}
			if logger.count("WARN PipesHub API: listing the apps failed") != 1 {
				t.Errorf("log %q; want one warning", logger.all())
			}
			for i := range ids {
				if errs[i] != nil {
					t.Errorf("read %d: %v", i, errs[i])
				}
			}
			sameAsGET(t, c, ids, apps, errs)
		})
	}
}

// After Stop (a write of the process), nothing is served from a page.
func TestPagedReads_stop(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	inState := createApps(t, c, 20)
	r := NewPagedReads(c)
	ctx := context.Background()
	readAll(r, inState[10:]) // page 1 fetched: inState[:10] are still listed, unserved
	if _, err := c.UpdateApp(ctx, inState[0].ID, UpdateAppRequest{Name: ptr("renamed")}); err != nil {
		t.Fatal(err)
	}
	r.Stop()
	emu.ResetCalls()
	app, _, err := r.GetApp(ctx, readsOf(inState[:1], nil)[0])
	if err != nil || app.Name != "renamed" || emu.Calls(emulator.RouteGetApp) != 1 {
		t.Errorf("read after Stop: %+v, %v, calls %v; want the renamed app, by GET", app, err, emu.CallCounts())
	}
}

// One read at a time, the rule's numbers exactly: oldest first, page 1 holds
// none of the first reads; the first that misses it asks for the last page
// and goes by GET (1 read does not pay for a page while page 1 has served
// none), the next fetches it, and from then on the pages pay.
func TestPagedReads_oneReadAtATime(t *testing.T) {
	t.Parallel()
	emu, c := unlimitedEmulatorClient(t)
	all := createApps(t, c, 250)
	r := NewPagedReads(c)
	emu.ResetCalls()
	readOneAtATime(t, r, all, nil)
	calls := emu.CallCounts()
	if calls[emulator.RouteGetApp] != 2 || calls[emulator.RouteListApps] != 3 {
		t.Errorf("calls %v; want 2 GETs (read 1 and the first to miss page 1) and pages 1, 3 and 2", calls)
	}
	if s := r.Stats(); s != (PagedReadsStats{Reads: 250, Pages: 3, Served: 248}) {
		t.Errorf("stats %+v", s)
	}
}

// One read at a time in the order Terraform refreshes a count, app[0],
// app[1], app[10], app[100], app[101], ... (its instance keys as strings):
// 1000 apps cost 1 GET, page 1 (which holds none of the first reads), 1 GET
// for the read that asks for the last page before it pays, then each page
// once: 12 calls.
func TestPagedReads_terraformOrder(t *testing.T) {
	t.Parallel()
	emu, c := unlimitedEmulatorClient(t)
	all := createApps(t, c, 1000)
	key := map[string]string{} // app id -> its count index as Terraform's instance key
	for i, app := range all {
		key[app.ID] = fmt.Sprint(i)
	}
	byKey := slices.Clone(all)
	slices.SortFunc(byKey, func(a, b App) int { return strings.Compare(key[a.ID], key[b.ID]) })
	r := NewPagedReads(c)
	emu.ResetCalls()
	readOneAtATime(t, r, byKey, nil)
	if calls := emu.CallCounts(); calls[emulator.RouteGetApp] != 2 || calls[emulator.RouteListApps] != 10 {
		t.Errorf("calls %v (stats %+v); want 2 GETs and 10 pages", calls, r.Stats())
	}
}
