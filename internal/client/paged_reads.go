package client

import (
	"context"
	"sync"
)

// PagedReads serves the reads of one provider process (a refresh of every
// app in state) from a paged listing of the caller's apps once enough reads
// come for the pages to pay: GET /oauth-clients returns the caller's apps as
// full App objects, 100 to a page (internal/emulator/README.md §5.1), the
// same objects GET /oauth-clients/{id} returns (§5.4). A refresh of N apps
// then costs about ⌈N/100⌉ calls plus the first few GETs, instead of N calls
// of PipesHub's per-user budget of 1000 a minute.
//
// The switch rule, for N reads in one process:
//
//   - The first PagedReadsAfter reads (5) go by GET, one call each: a run that
//     reads a handful of apps makes exactly N GETs, whoever owns how many
//     apps.
//   - The next read, and every read after it, looks for its app in the pages
//     fetched so far. When the app is not there, the next page (100 apps,
//     newest first) is fetched, one at a time, the other reads waiting for
//     it, but only while the pages pay: page 1 is fetched at once (it tells
//     the listing's length, totalPages); a later page only when the reads
//     served from pages so far outnumber the pages fetched (served > pages),
//     or when the reads seen since the switch are at least twice the pages
//     of the whole listing (reads − 5 ≥ 2 × totalPages: the listing costs at
//     most half the GETs it may replace, whatever order Terraform reads the
//     apps in; it refreshes the oldest apps of a count first, and they are
//     on the last pages).
//   - Numbers, with every app in state among the caller's apps (the usual
//     refresh): N ≤ 5 costs N GETs; N = 10 costs 5 GETs + 1 page = 6 calls;
//     N = 100 costs 6; N = 150 costs 5 + 2 = 7; N = 1000 costs 5 + 10 = 15
//     when the reads find their pages, and 28 as measured through terraform
//     (BENCHMARKS.md: the oldest apps, on page 10, come first, and the reads
//     that miss page 1 before 20 reads were seen go by GET). A few apps of a
//     user who owns many: 3 apps cost 3 GETs whatever the user owns; the 10
//     oldest apps of a user with 10 000 cost 5 GETs + page 1 + 5 GETs = 11
//     (page 1 is the one bet that may serve nothing: never a second page
//     then, since 5 reads do not pay for 100 pages). The worst case, every
//     app in state missing from the listing (deleted, or another user's),
//     costs N GETs plus at most 1 + (N − 5) / 2 pages; such a run stops at
//     the first other user's app, and a deleted app is replaced by a create
//     anyway.
//   - A read whose app is on no fetched page, when the listing is complete or
//     may not continue, goes by GET: an app missing from the listing is
//     never taken as gone (a deleted app and another user's app are both
//     missing; the GET's 404 and the caller's handling of it decide), and an
//     app created since the page was fetched is not missed.
//   - A page that fails (an error after the request's own retries, a 429 past
//     the deadline, a cut-off or broken body) ends the listing for the
//     process: that read and every later one go by GET.
//   - Each listed app serves one read: a second read of the same app in the
//     process goes by GET. Stop, called before any write of the process, ends
//     the listing and drops every page, so that nothing written by this
//     process is served stale.
//
// A PagedReads is safe for concurrent use; the zero value is not usable (see
// NewPagedReads).
type PagedReads struct {
	c *Client

	mu    sync.Mutex
	reads int            // reads asked so far
	off   bool           // Stop was called, or a page failed: GETs only
	apps  map[string]App // listed apps not served yet, by id
	pages int            // pages fetched
	// totalPages is the listing's length in pages, as page 1 told it.
	totalPages int
	served     int // reads served from pages
	// complete is set once the last page is fetched.
	complete bool
	// inFlight, while a page is being fetched, is closed when it is done.
	inFlight chan struct{}
}

// PagedReadsAfter is how many reads of a process go by GET before the
// listing starts (see PagedReads).
const PagedReadsAfter = 5

// NewPagedReads returns the reads of one provider process through c.
func NewPagedReads(c *Client) *PagedReads {
	return &PagedReads{c: c, apps: map[string]App{}}
}

// GetApp returns what c.GetApp(ctx, appID) would: the app, or the GET's
// error (IsNotFound for a deleted app or another user's). See PagedReads.
func (r *PagedReads) GetApp(ctx context.Context, appID string) (*App, error) {
	r.mu.Lock()
	r.reads++
	if r.off || r.reads <= PagedReadsAfter || !AppIDPattern.MatchString(appID) {
		r.mu.Unlock()
		return r.c.GetApp(ctx, appID)
	}
	for {
		if app, ok := r.apps[appID]; ok {
			delete(r.apps, appID)
			r.served++
			r.mu.Unlock()
			return &app, nil
		}
		if wait := r.inFlight; wait != nil {
			r.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return r.c.GetApp(ctx, appID) // fails at once with the context's error, as a GET would
			}
			r.mu.Lock()
			continue
		}
		if r.off || r.complete || !r.nextPagePays() {
			r.mu.Unlock()
			return r.c.GetApp(ctx, appID)
		}
		r.fetchNextPage(ctx)
	}
}

// nextPagePays reports whether the next page may be fetched (see
// PagedReads): page 1 always; a later page when the reads served from pages
// outnumber the pages, or when the reads seen since the switch are at least
// twice the pages of the whole listing.
func (r *PagedReads) nextPagePays() bool {
	return r.pages == 0 || r.served > r.pages || r.reads-PagedReadsAfter >= 2*r.totalPages
}

// fetchNextPage fetches the page after the last one fetched, with r.mu held
// on entry and on return (released during the request).
func (r *PagedReads) fetchNextPage(ctx context.Context) {
	page := r.pages + 1
	done := make(chan struct{})
	r.inFlight = done
	r.mu.Unlock()
	list, err := r.c.ListApps(ctx, ListAppsParams{Page: page, Limit: listAllPageSize})
	r.mu.Lock()
	r.inFlight = nil
	close(done)
	switch {
	case err != nil:
		r.off = true
		r.apps = map[string]App{}
		r.c.logger.Warn(ctx, "PipesHub API: listing the apps failed; reading them one by one", map[string]any{
			"page": page, "error": err.Error(),
		})
	case r.off: // stopped meanwhile: keep nothing
	default:
		r.pages, r.totalPages = page, list.Pagination.TotalPages
		for _, app := range list.Data {
			if app.ID != "" {
				r.apps[app.ID] = app
			}
		}
		if page >= list.Pagination.TotalPages || len(list.Data) == 0 {
			r.complete = true
		}
	}
}

// Stop ends the listing: every later read goes by GET. Called before any
// write, so that an app written by this process is never served from a page
// fetched before.
func (r *PagedReads) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.off = true
	r.apps = map[string]App{}
}

// PagedReadsStats is what a PagedReads did, for tests and logs.
type PagedReadsStats struct {
	Reads, Pages, Served int
}

// Stats returns the reads asked so far, the pages fetched and the reads
// served from them.
func (r *PagedReads) Stats() PagedReadsStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return PagedReadsStats{Reads: r.reads, Pages: r.pages, Served: r.served}
}
