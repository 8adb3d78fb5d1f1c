package client

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// createApps creates n apps of the client's user and returns their ids,
// oldest first.
func createApps(t *testing.T, c *Client, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		app, err := c.CreateApp(context.Background(), clientCredentialsApp(fmt.Sprintf("paged %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = app.ID
	}
	return ids
}

// readAll reads every id through r, ten at a time as Terraform refreshes.
func readAll(r *PagedReads, ids []string) (apps []*App, errs []error) {
	apps, errs = make([]*App, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 10)
	for i, id := range ids {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			apps[i], errs[i] = r.GetApp(context.Background(), id)
		}()
	}
	wg.Wait()
	return apps, errs
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

// The switch rule: a handful of reads go by GET, one each; more are served
// from pages of 100, about one call per 100 apps, never more calls than reads.
func TestPagedReads_callCounts(t *testing.T) {
	t.Parallel()
	emu, c, _ := emulatorClient(t, nil)
	all := createApps(t, c, 250)
	for _, tc := range []struct {
		n                  int
		minPages, maxPages int
		maxCalls           int
	}{
		{n: 1, maxCalls: 1},
		{n: 3, maxCalls: 3},
		{n: PagedReadsAfter, maxCalls: PagedReadsAfter},
		// From the sixth read on, pages: the 10 newest apps are on page 1.
		{n: 10, minPages: 1, maxPages: 1, maxCalls: PagedReadsAfter + 1},
		// The 150 newest: pages 1 and 2. A read that finds page 1 done before
		// two reads were served from it may go by GET: at most the 9 others
		// Terraform runs beside it.
		{n: 150, minPages: 2, maxPages: 2, maxCalls: PagedReadsAfter + 2 + 9},
		{n: 250, minPages: 3, maxPages: 3, maxCalls: PagedReadsAfter + 3 + 9},
	} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			ids := all[len(all)-tc.n:]
			emu.ResetCalls()
			r := NewPagedReads(c)
			apps, errs := readAll(r, ids)
			calls := emu.CallCounts()
			gets, pages := calls[emulator.RouteGetApp], calls[emulator.RouteListApps]
			if pages < tc.minPages || pages > tc.maxPages || gets+pages > tc.maxCalls || gets+pages > tc.n {
				t.Errorf("%d reads: %d GETs and %d pages (stats %+v); want %d to %d pages and at most %d calls in all",
					tc.n, gets, pages, r.Stats(), tc.minPages, tc.maxPages, min(tc.maxCalls, tc.n))
			}
			t.Logf("%d reads: %d GETs, %d pages", tc.n, gets, pages)
			if tc.n <= PagedReadsAfter && gets != tc.n {
				t.Errorf("%d reads: %d GETs, want exactly one per read", tc.n, gets)
			}
			sameAsGET(t, c, ids, apps, errs)
		})
	}
	t.Run("a few old apps of a user with many", func(t *testing.T) {
		// The 10 oldest of 250: page 1 holds none; no page after it is fetched.
		ids := all[:10]
		emu.ResetCalls()
		apps, errs := readAll(NewPagedReads(c), ids)
		calls := emu.CallCounts()
		if calls[emulator.RouteListApps] != 1 || calls[emulator.RouteGetApp] != 10 {
			t.Errorf("calls %v; want 1 page, then a GET for each of the 10 reads", calls)
		}
		sameAsGET(t, c, ids, apps, errs)
	})
}

// An app missing from the listing is read by GET: a deleted app and another
// user's answer its 404, a suspended one is listed as it is.
func TestPagedReads_absentAppsGoByGET(t *testing.T) {
	t.Parallel()
	emu, url := newEmulator(t, emulator.Config{})
	c, _ := newTestClient(t, url, nil)
	member, _ := newTestClient(t, url, func(cfg *Config) { cfg.BearerToken = testMemberToken })
	ids := createApps(t, c, 30)
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
	ids = append(ids, others.ID)
	emu.ResetCalls()
	apps, errs := readAll(NewPagedReads(c), ids)
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
			ids := createApps(t, c, 20)
			emu.ResetCalls()
			tc.fault.Route, tc.fault.Count = emulator.RouteListApps, 1000
			emu.InjectFault(tc.fault)
			apps, errs := readAll(NewPagedReads(c), ids)
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
	ids := createApps(t, c, 20)
	r := NewPagedReads(c)
	ctx := context.Background()
	readAll(r, ids[:10]) // page 1 fetched: ids[:5] are still listed, unserved
	if _, err := c.UpdateApp(ctx, ids[0], UpdateAppRequest{Name: ptr("renamed")}); err != nil {
		t.Fatal(err)
	}
	r.Stop()
	emu.ResetCalls()
	app, err := r.GetApp(ctx, ids[0])
	if err != nil || app.Name != "renamed" || emu.Calls(emulator.RouteGetApp) != 1 {
		t.Errorf("read after Stop: %+v, %v, calls %v; want the renamed app, by GET", app, err, emu.CallCounts())
	}
}
