package client

import (
	"context"
	"sync"
	"time"
)

// PagedReads serves the reads of one provider process (a refresh of every
// app in state) from a paged listing of the caller's apps once enough reads
// come for the pages to pay: GET /oauth-clients returns the caller's apps as
// full App objects, 100 to a page, newest createdAt first
// (internal/emulator/README.md §5.1), the same objects GET
// /oauth-clients/{id} returns (§5.4). A refresh of N apps then costs about
// ⌈N/100⌉ pages plus 1 GET instead of N calls of PipesHub's per-user budget
// of 1000 a minute.
//
// Each read comes with its app's createdAt from state (zero when unknown),
// which says where in the listing the app sits, and its ListingPlace as the
// last refresh learned it (zero when unknown), which says on which page it
// sat then. The rule, for N reads in one process:
//
//   - Read 1 (PagedReadsAfter) goes by GET: a plan of one app costs one call.
//   - Every later read looks for its app on the pages fetched so far. When
//     it is not there, the page that must hold it is found from its
//     createdAt and place. Before any page: the page of its place when that
//     is exact; none (GET) when the app was known to sit past page 1 but not
//     where; else page 1. Then, among the pages not fetched yet, those
//     between the fetched page just newer and the fetched page just older
//     than the app (a createdAt equal to a fetched page's edge may spill to
//     its neighbour): the page of its exact place when it is one of them;
//     else, with no older page fetched, the last page (Terraform refreshes a
//     count's oldest apps first); between two fetched pages, the page the
//     createdAt interpolates to. No such page (the app's createdAt
//     lies inside a fetched page, or is unknown, as at an import), or all
//     pages fetched: GET.
//   - That page is fetched (one at a time, the other reads waiting for it)
//     only while the pages pay: page 1 at once (the one bet); a later page
//     when the reads served from pages are at least the pages fetched
//     (served ≥ pages), or one fewer once any read was served (a page just
//     fetched has served few of its reads yet: Terraform's plan refreshes a
//     count as app[0], app[1], app[10], app[100], app[101], ..., and its
//     destroy in no order, a few reads from each page in turn), or when the
//     reads asking for pages not fetched yet (this one, those waiting for a
//     page that does not hold them, and those that went by GET for want of
//     one since the last page came) are at least 1 + pages − served: each
//     page that holds what it was fetched for brings the calls back to no
//     more than the reads. A waiting read whose app is on a fetched page
//     counts as served. Otherwise the read goes by GET.
//   - Numbers, every app in state among the caller's apps (the usual
//     refresh): N = 1 costs 1 GET; N = 2 to 100 of a user with up to 100
//     apps costs 1 GET + page 1 = 2; N = 1000 costs 1 GET + 10 pages, plus
//     a GET for each read that asked for its page before the page paid
//     (at most 1 in the order Terraform refreshes a count: 12 calls). No
//     page is fetched twice.
//   - The cost of a bet: the first page fetched may hold none of the apps
//     (page 1 for a few old apps of a user who owns many). Then 2 old apps
//     cost 1 GET + page 1 + 1 GET = 3, the one case of N + 1 when no other
//     page pays; with more reads, the page that holds them is fetched once
//     1 + pages − served of them ask for it, and serves them. Each read
//     returns the place it learned: exact for an app served from a page; for
//     one read by GET, at least the apps of the fetched pages newer than it.
//     Kept with the app (the provider keeps it in private state), it makes
//     the next refresh bet on the right page, or not bet at all for apps
//     known to sit past page 1: a bet is lost once per app that moved, not
//     at every refresh. A page that serves none of the reads
//     that asked for it (they were deleted, or the listing moved while it
//     was read, or the createdAt interpolated wrong) adds one call, and each
//     such loss makes the next page wait for one more read asking: in the
//     worst case about √(2N) calls over N.
//   - An app missing from the listing is never taken as gone: it is read by
//     GET (a deleted app and another user's app are both missing; the GET's
//     404 and the caller's handling of it decide).
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
	reads int                  // reads asked so far
	off   bool                 // Stop was called, or a page failed: GETs only
	apps  map[string]listedApp // listed apps not served yet, by id
	// fetched holds each fetched page's createdAt span, by page number.
	fetched map[int]pageSpan
	// totalPages is the listing's length in pages, as the last page told it.
	totalPages int
	served     int // reads served from pages
	// inFlight, while a page is being fetched, is closed when it is done;
	// waiting holds each read waiting for it.
	inFlight chan struct{}
	waiting  map[*AppRead]struct{}
	// wanted counts the reads that went by GET since the last page was
	// fetched because the page they needed did not pay yet.
	wanted int
}

// AppRead is a read of one app: its id, and what state holds of where it
// sits in the caller's listing.
type AppRead struct {
	ID        string
	CreatedAt time.Time    // as last read; zero when unknown
	Place     ListingPlace // as the last refresh learned it
}

// ListingPlace is where an app sat in its user's listing, newest first, when
// a refresh last learned it: Rank apps newer than it, exactly when Exact,
// else at least Rank. The zero value knows nothing. PipesHub never says it;
// the caller keeps it with the app from one process to the next.
type ListingPlace struct {
	Rank  int  `json:"rank"`
	Exact bool `json:"exact,omitempty"`
}

// page is the page of the listing that held the app, 0 when unknown.
func (p ListingPlace) page() int {
	if !p.Exact {
		return 0
	}
	return p.Rank/listAllPageSize + 1
}

// listedApp is an app of a fetched page and its rank in the listing.
type listedApp struct {
	app  App
	rank int
}

// pageSpan is the createdAt of a fetched page's newest and oldest app and
// how many apps it held; known is false for an empty page or one whose
// times cannot be read.
type pageSpan struct {
	newest, oldest time.Time
	apps           int
	known          bool
}

// PagedReadsAfter is how many reads of a process go by GET before the
// listing starts (see PagedReads).
const PagedReadsAfter = 1

// NewPagedReads returns the reads of one provider process through c.
func NewPagedReads(c *Client) *PagedReads {
	return &PagedReads{c: c, apps: map[string]listedApp{}, fetched: map[int]pageSpan{},
		waiting: map[*AppRead]struct{}{}}
}

// GetApp returns what c.GetApp(ctx, read.ID) would: the app, or the GET's
// error (IsNotFound for a deleted app or another user's); and the app's
// place in the listing as far as this process knows it, read.Place when it
// learned nothing. See PagedReads.
func (r *PagedReads) GetApp(ctx context.Context, read AppRead) (*App, ListingPlace, error) {
	r.mu.Lock()
	r.reads++
	switch {
	case r.reads <= PagedReadsAfter:
		return r.byGET(ctx, read, "the first read of the command")
	case !AppIDPattern.MatchString(read.ID):
		return r.byGET(ctx, read, "not an app id")
	}
	for {
		if r.off { // also after a wait: the page waited for may have failed
			return r.byGET(ctx, read, "the listing stopped (a write of this command, or a failed page)")
		}
		if listed, ok := r.apps[read.ID]; ok {
			delete(r.apps, read.ID)
			r.served++
			r.mu.Unlock()
			return &listed.app, ListingPlace{Rank: listed.rank, Exact: true}, nil
		}
		if wait := r.inFlight; wait != nil {
			self := &read
			r.waiting[self] = struct{}{}
			r.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
			}
			r.mu.Lock()
			delete(r.waiting, self)
			if ctx.Err() != nil {
				return r.byGET(ctx, read, "ended") // fails at once with the context's error, as a GET would
			}
			continue
		}
		page := r.pageFor(read)
		if page == 0 {
			return r.byGET(ctx, read, "on no page known to hold it, or left to fetch")
		}
		if !r.pays() {
			r.wanted++
			return r.byGET(ctx, read, "its page does not pay yet")
		}
		r.fetch(ctx, page)
	}
}

// byGET reads an app by GET, with r.mu held on entry (released), and logs
// why at debug level: what a refresh's calls were spent on.
func (r *PagedReads) byGET(ctx context.Context, read AppRead, why string) (*App, ListingPlace, error) {
	fields := map[string]any{"app_id": read.ID, "why": why, "reads": r.reads, "served_from_pages": r.served, "pages": len(r.fetched)}
	place := r.placeOf(read)
	r.mu.Unlock()
	r.c.logger.Debug(ctx, "PipesHub API: app read by GET", fields)
	app, err := r.c.GetApp(ctx, read.ID)
	return app, place, err
}

// placeOf returns what the fetched pages tell of the place of an app not
// found on them: at least the apps of every fetched page newer than it; its
// place as read when they tell no more.
func (r *PagedReads) placeOf(read AppRead) ListingPlace {
	newer := 0
	for p, span := range r.fetched {
		if span.known && !read.CreatedAt.IsZero() && read.CreatedAt.Before(span.oldest) {
			newer = max(newer, (p-1)*listAllPageSize+span.apps)
		}
	}
	if newer <= read.Place.Rank {
		return read.Place
	}
	return ListingPlace{Rank: newer}
}

// pageFor returns the page not fetched yet that must hold the app of read,
// or 0 when there is none (see PagedReads).
func (r *PagedReads) pageFor(read AppRead) int {
	createdAt := read.CreatedAt
	if createdAt.IsZero() {
		return 0 // cannot be placed (an import's first read): never worth a page
	}
	if len(r.fetched) == 0 {
		switch {
		case read.Place.Exact:
			return read.Place.page()
		case read.Place.Rank >= listAllPageSize:
			return 0 // past page 1, nobody knows where: not worth a bet
		default:
			return 1
		}
	}
	// [lo, hi]: the pages that may hold it, narrowed by every fetched page;
	// newer and older: the fetched pages that bound them, if any.
	lo, hi := 1, r.totalPages
	var newer, older *pageSpan
	for p, span := range r.fetched {
		if !span.known {
			continue
		}
		switch {
		case createdAt.Before(span.oldest):
			if p+1 > lo {
				lo, newer = p+1, &span
			}
		case createdAt.After(span.newest):
			if p-1 < hi {
				hi, older = p-1, &span
			}
		case createdAt.Equal(span.oldest) && createdAt.Before(span.newest):
			lo, hi = max(lo, p+1), min(hi, p+1) // a tie may spill to the next page
		case createdAt.Equal(span.newest) && createdAt.After(span.oldest):
			lo, hi = max(lo, p-1), min(hi, p-1)
		default: // inside the page, which does not hold it
			return 0
		}
	}
	pick := hi // no older page fetched: the last page that may hold it
	if p := read.Place.page(); p >= lo && p <= hi {
		pick = p
	} else if older != nil && newer != nil && newer.oldest.After(older.newest) && hi > lo {
		frac := float64(newer.oldest.Sub(createdAt)) / float64(newer.oldest.Sub(older.newest))
		pick = lo + int(frac*float64(hi-lo+1))
	}
	pick = min(max(pick, lo), hi)
	for d := 0; pick-d >= lo || pick+d <= hi; d++ { // the nearest not fetched
		for _, p := range []int{pick - d, pick + d} {
			if _, done := r.fetched[p]; p >= lo && p <= hi && !done {
				return p
			}
		}
	}
	return 0
}

// pays reports whether the page a read needs may be fetched now (see
// PagedReads). A waiting read whose app is on a fetched page counts as
// served: it will be, once it runs again.
func (r *PagedReads) pays() bool {
	pages, served, asking := len(r.fetched), r.served, 1+r.wanted
	for w := range r.waiting {
		switch _, listed := r.apps[w.ID]; {
		case listed:
			served++
		case r.pageFor(*w) != 0:
			asking++
		}
	}
	return pages == 0 || served >= pages || (served > 0 && served+1 >= pages) || asking >= 1+pages-served
}

// fetch fetches page, with r.mu held on entry and on return (released
// during the request).
func (r *PagedReads) fetch(ctx context.Context, page int) {
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
		r.apps = map[string]listedApp{}
		r.c.logger.Warn(ctx, "PipesHub API: listing the apps failed; reading them one by one", map[string]any{
			"page": page, "error": err.Error(),
		})
	case r.off: // stopped meanwhile: keep nothing
	default:
		r.fetched[page] = spanOf(list.Data)
		r.totalPages = list.Pagination.TotalPages
		r.wanted = 0
		for i, app := range list.Data {
			if app.ID != "" {
				r.apps[app.ID] = listedApp{app, (page-1)*listAllPageSize + i}
			}
		}
	}
}

// spanOf returns the createdAt span of a page, newest first.
func spanOf(apps []App) pageSpan {
	if len(apps) == 0 {
		return pageSpan{}
	}
	newest, err1 := time.Parse(time.RFC3339Nano, apps[0].CreatedAt)
	oldest, err2 := time.Parse(time.RFC3339Nano, apps[len(apps)-1].CreatedAt)
	return pageSpan{newest: newest, oldest: oldest, apps: len(apps), known: err1 == nil && err2 == nil && !oldest.After(newest)}
}

// Stop ends the listing: every later read goes by GET. Called before any
// write, so that an app written by this process is never served from a page
// fetched before.
func (r *PagedReads) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.off = true
	r.apps = map[string]listedApp{}
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
	return PagedReadsStats{Reads: r.reads, Pages: len(r.fetched), Served: r.served}
}
