package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// pagedServer serves GET /oauth-clients from pages[page-1], always claiming
// totalPages pages.
func pagedServer(t *testing.T, totalPages int, pages ...[]string) (*httptest.Server, *countingHandler) {
	h := &countingHandler{respond: func(w http.ResponseWriter, r *http.Request, _ int) {
		var page int
		_, _ = fmt.Sscan(r.URL.Query().Get("page"), &page)
		var items []string
		if page >= 1 && page <= len(pages) {
			for _, id := range pages[page-1] {
				items = append(items, strings.Replace(appJSON, testAppID, id, 1))
			}
		}
		fmt.Fprintf(w, `{"data":[%s],"pagination":{"page":%d,"limit":100,"total":1,"totalPages":%d}}`,
			strings.Join(items, ","), page, totalPages)
	}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h
}

func TestListAllAppsStopsOnAnEmptyPage(t *testing.T) {
	t.Parallel()
	srv, h := pagedServer(t, 1_000_000, []string{"aaaaaaaaaaaaaaaaaaaaaaaa"}, []string{"bbbbbbbbbbbbbbbbbbbbbbbb"})
	c, _ := newTestClient(t, srv.URL, nil)
	apps, err := c.ListAllApps(context.Background(), "", "")
	if err != nil || len(apps) != 2 || h.count() != 3 {
		t.Fatalf("%d apps after %d calls, %v; want 2 apps after 3 calls", len(apps), h.count(), err)
	}
}

func TestListAllAppsDropsAppsShiftedIntoTheNextPage(t *testing.T) {
	t.Parallel()
	a, b, c0 := "aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccc"
	srv, _ := pagedServer(t, 2, []string{a, b}, []string{b, c0})
	c, _ := newTestClient(t, srv.URL, nil)
	apps, err := c.ListAllApps(context.Background(), "", "")
	if err != nil || len(apps) != 3 || apps[0].ID != a || apps[1].ID != b || apps[2].ID != c0 {
		t.Fatalf("got %+v, %v", apps, err)
	}
}

func TestListAppsSendsOnlySetParameters(t *testing.T) {
	t.Parallel()
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		_, _ = w.Write([]byte(`{"data":[],"pagination":{"page":1,"limit":20,"total":0,"totalPages":0}}`))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	for _, p := range []ListAppsParams{{}, {Page: 2}, {Limit: 5, Status: StatusSuspended}, {Search: "a b&c"}} {
		if _, err := c.ListApps(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"", "page=2", "limit=5&status=suspended", "search=a+b%26c"}
	if strings.Join(queries, "|") != strings.Join(want, "|") {
		t.Errorf("queries %q, want %q", queries, want)
	}
}
