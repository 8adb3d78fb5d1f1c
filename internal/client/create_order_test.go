package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// lostCreateServer stands in for PipesHub for two identical creates whose
// answers are lost (500 after applying): it answers the first create as soon
// as the second has arrived and the second a little later, lists the given
// apps, regenerates any secret, and sends no Date header, so the recovery
// judges creation times on the client's clock, give or take unknownClockSkew.
type lostCreateServer struct {
	mu       sync.Mutex
	posts    int
	second   chan struct{}
	apps     []App
	lists    int
	regens   []string
	unrouted []string
}

func (s *lostCreateServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header()["Date"] = nil
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/oauth-clients") {
		s.mu.Lock()
		s.posts++
		n := s.posts
		s.mu.Unlock()
		switch n {
		case 1:
			<-s.second
		case 2:
			close(s.second)
			time.Sleep(200 * time.Millisecond) // the first create's recovery waits for this one
		}
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":"INTERNAL_ERROR","message":"An unexpected error occurred"}}`))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/oauth-clients"):
		s.lists++
		data := s.apps
		if r.URL.Query().Get("page") != "" && r.URL.Query().Get("page") != "1" {
			data = nil
		}
		b, _ := json.Marshal(map[string]any{"data": data, "pagination": map[string]int{"page": 1, "limit": 100, "total": len(s.apps), "totalPages": 1}})
		_, _ = w.Write(b)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/regenerate-secret"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path[strings.Index(r.URL.Path, "/oauth-clients/"):], "/oauth-clients/"), "/regenerate-secret")
		s.regens = append(s.regens, id)
		fmt.Fprintf(w, `{"message":"ok","clientId":"c-%s","clientSecret":"%s"}`, id, strings.Repeat("ab", 32))
	default:
		s.unrouted = append(s.unrouted, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
	}
}

// TestRecoveryTakesTheOldestByTime: two identical creates are lost and two
// matching apps are found; the first recovery takes the app created first,
// judged by time and not by the text of createdAt, which RFC 3339 lets
// differ in fractional digits and offset. In each case the older app's text
// sorts after the younger one's.
func TestRecoveryTakesTheOldestByTime(t *testing.T) {
	t.Parallel()
	// Creation times in the second the creates are sent, well within the
	// window of unknownClockSkew either side.
	times := func() (second time.Time, day string) {
		second = time.Now().UTC().Truncate(time.Second)
		return second, second.Format("2006-01-02T15:04:05")
	}
	for _, tc := range []struct {
		name string
		// createdAt returns the older app's and the younger app's.
		createdAt func() (older, younger string)
	}{
		{"fractional digits", func() (string, string) {
			_, day := times()
			return day + ".1Z", day + ".123Z"
		}},
		{"offset", func() (string, string) {
			second, day := times()
			return second.In(time.FixedZone("", 3600)).Format("2006-01-02T15:04:05.000-07:00"), day + ".500Z"
		}},
		{"offset and no fraction", func() (string, string) {
			second, day := times()
			return second.In(time.FixedZone("", 7200)).Format(time.RFC3339), day + ".001Z"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			olderAt, youngerAt := tc.createdAt()
			if olderAt <= youngerAt {
				t.Fatalf("the case is wrong: %q sorts before %q as text", olderAt, youngerAt)
			}
			req := clientCredentialsApp("ordered")
			app := func(id, createdAt string) App {
				return App{ID: id, ClientID: "c-" + id, Name: req.Name, RedirectURIs: []string{},
					AllowedGrantTypes: req.AllowedGrantTypes, AllowedScopes: req.AllowedScopes, Status: StatusActive,
					IsConfidential: true, AccessTokenLifetime: 3600, RefreshTokenLifetime: 2592000,
					CreatedAt: createdAt, UpdatedAt: createdAt}
			}
			older, younger := app("0000000000000000000000aa", olderAt), app("0000000000000000000000bb", youngerAt)
			srv := &lostCreateServer{second: make(chan struct{}), apps: []App{younger, older}} // newest first, as PipesHub lists
			c, _ := newServedClient(t, srv, nil)

			first := make(chan *CreatedApp, 1)
			errs := make(chan error, 2)
			go func() {
				created, err := c.CreateAppSafely(context.Background(), req)
				errs <- err
				first <- created
			}()
			for {
				srv.mu.Lock()
				posts := srv.posts
				srv.mu.Unlock()
				if posts == 1 {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			created2, err2 := c.CreateAppSafely(context.Background(), req)
			if err := <-errs; err != nil || err2 != nil {
				t.Fatalf("%v; %v", err, err2)
			}
			created1 := <-first
			if created1.ID != older.ID || created2.ID != younger.ID || !created1.Recovered || !created2.Recovered {
				t.Errorf("the first lost create took %s and the second %s; want the older %s (created %s) first, then %s (created %s)",
					created1.ID, created2.ID, older.ID, olderAt, younger.ID, youngerAt)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if srv.posts != 2 || srv.lists != 2 || len(srv.regens) != 2 || len(srv.unrouted) != 0 {
				t.Errorf("%d creates, %d lists, regenerated %v, unrouted %v; want 2 creates, 2 lists, 2 regenerations",
					srv.posts, srv.lists, srv.regens, srv.unrouted)
			}
		})
	}
}
