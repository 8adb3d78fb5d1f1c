package client

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testAppID = "0123456789abcdef01234567"

const appJSON = `{"id":"0123456789abcdef01234567","slug":"oauthapp-1","clientId":"c","name":"n","redirectUris":[],` +
	`"allowedGrantTypes":[],"allowedScopes":["openid"],"status":"active","isConfidential":true,` +
	`"accessTokenLifetime":3600,"refreshTokenLifetime":2592000,"createdAt":"t","updatedAt":"t"}`

// operations names each client call with its idempotency class and a body
// that answers it, so a policy table can drive them all.
var operations = []struct {
	name       string
	idempotent bool
	okBody     string
	run        func(ctx context.Context, c *Client) error
}{
	{"list", true, `{"data":[],"pagination":{"page":1,"limit":20,"total":0,"totalPages":0}}`, func(ctx context.Context, c *Client) error {
		_, err := c.ListApps(ctx, ListAppsParams{})
		return err
	}},
	{"scopes", true, `{"scopes":{}}`, func(ctx context.Context, c *Client) error { _, err := c.ListScopes(ctx); return err }},
	{"get", true, appJSON, func(ctx context.Context, c *Client) error { _, err := c.GetApp(ctx, testAppID); return err }},
	{"update", true, `{"message":"m","app":` + appJSON + `}`, func(ctx context.Context, c *Client) error {
		_, err := c.UpdateApp(ctx, testAppID, UpdateAppRequest{})
		return err
	}},
	{"delete", true, `{"message":"m"}`, func(ctx context.Context, c *Client) error { return c.DeleteApp(ctx, testAppID) }},
	{"regenerate", true, `{"message":"m","clientId":"c","clientSecret":"s"}`, func(ctx context.Context, c *Client) error {
		_, err := c.RegenerateSecret(ctx, testAppID)
		return err
	}},
	{"suspend", true, `{"message":"m","app":` + appJSON + `}`, func(ctx context.Context, c *Client) error {
		_, err := c.SuspendApp(ctx, testAppID)
		return err
	}},
	{"activate", true, `{"message":"m","app":` + appJSON + `}`, func(ctx context.Context, c *Client) error {
		_, err := c.ActivateApp(ctx, testAppID)
		return err
	}},
	{"tokens", true, `{"tokens":[]}`, func(ctx context.Context, c *Client) error { _, err := c.ListTokens(ctx, testAppID); return err }},
	{"revoke-all", true, `{"message":"m"}`, func(ctx context.Context, c *Client) error { return c.RevokeAllTokens(ctx, testAppID) }},
	{"revoke", true, ``, func(ctx context.Context, c *Client) error {
		return c.RevokeToken(ctx, "cid", fuzzClientSecret, fuzzAccessToken)
	}},
	{"create", false, `{"message":"m","app":` + strings.TrimSuffix(appJSON, "}") + `,"clientSecret":"s"}}`, func(ctx context.Context, c *Client) error {
		_, err := c.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"openid"}})
		return err
	}},
	{"token", false, `{"access_token":"a","token_type":"Bearer","expires_in":3600,"scope":""}`, func(ctx context.Context, c *Client) error {
		_, err := c.ClientCredentialsToken(ctx, "cid", fuzzClientSecret, nil)
		return err
	}},
}

// TestRetryPolicyByIdempotency drives every operation through a server that
// fails twice with each status and checks who retries.
func TestRetryPolicyByIdempotency(t *testing.T) {
	t.Parallel()
	for _, op := range operations {
		for _, status := range []int{429, 500, 502, 503, 504, 400, 404} {
			retried := status == 429 || op.idempotent && status >= 500
			t.Run(op.name+"/"+http.StatusText(status), func(t *testing.T) {
				t.Parallel()
				h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, call int) {
					if call <= 2 {
						w.Header().Set("Retry-After", "0")
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(status)
						_, _ = io.WriteString(w, `{"error":{"code":"X","message":"failed"}}`)
						return
					}
					_, _ = io.WriteString(w, op.okBody)
				}}
				c, _ := newServedClient(t, h, nil)
				err := op.run(context.Background(), c)
				if retried {
					if err != nil || h.count() != 3 {
						t.Fatalf("want success after 3 calls, got %d calls, err %v", h.count(), err)
					}
					return
				}
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != status || h.count() != 1 {
					t.Fatalf("want one call and an HTTP %d APIError, got %d calls, err %v", status, h.count(), err)
				}
				if got, want := MayHaveApplied(err), status >= 500; got != want {
					t.Errorf("MayHaveApplied = %v, want %v", got, want)
				}
			})
		}
	}
}

func TestRetriesStopAtMaxRetries(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}}
	c, logger := newServedClient(t, h, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.GetApp(context.Background(), testAppID)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("want the last 503 as an APIError, got %v", err)
	}
	if h.count() != 3 || logger.count("WARN retrying") != 2 {
		t.Errorf("calls %d, retry log lines %d; want 3 and 2", h.count(), logger.count("WARN retrying"))
	}
}

func TestZeroMaxRetriesSendsOnce(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(503) }}
	c, _ := newServedClient(t, h, func(cfg *Config) { cfg.MaxRetries = 0 })
	if _, err := c.GetApp(context.Background(), testAppID); err == nil || h.count() != 1 {
		t.Fatalf("calls %d, err %v", h.count(), err)
	}
}

// dropConnection closes the connection without answering: the request was
// read (and, for a real server, applied) but the response is lost.
func dropConnection(t testing.TB, w http.ResponseWriter, r *http.Request) {
	_, _ = io.ReadAll(r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_ = conn.Close()
}

func TestLostResponse(t *testing.T) {
	t.Parallel()
	for _, op := range operations {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			h := &countingHandler{}
			h.respond = func(w http.ResponseWriter, r *http.Request, call int) {
				if call == 1 {
					dropConnection(t, w, r)
					return
				}
				_, _ = io.WriteString(w, op.okBody)
			}
			c, _ := newServedClient(t, h, nil)
			err := op.run(context.Background(), c)
			if op.idempotent {
				if err != nil || h.count() != 2 {
					t.Fatalf("idempotent call: want a retry that succeeds, got %d calls, err %v", h.count(), err)
				}
				return
			}
			var reqErr *RequestError
			if !errors.As(err, &reqErr) || h.count() != 1 {
				t.Fatalf("non-idempotent call: want one call and a RequestError, got %d calls, err %v", h.count(), err)
			}
			if !MayHaveApplied(err) {
				t.Errorf("MayHaveApplied = false for a request whose response was lost: %v", err)
			}
		})
	}
}

// flakyDialer refuses the first failures dials, like a server that is not up
// yet: the request never reaches it.
func flakyDialer(failures int32) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var n atomic.Int32
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if n.Add(1) <= failures {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return d.DialContext(ctx, network, addr)
	}
}

func TestCreateRetriedWhenTheRequestNeverLeft(t *testing.T) {
	t.Parallel()
	create := operations[len(operations)-2]
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(201)
		_, _ = io.WriteString(w, create.okBody)
	}}
	c, _ := newServedClient(t, h, func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: flakyDialer(2)}}
	})
	if err := create.run(context.Background(), c); err != nil || h.count() != 1 {
		t.Fatalf("want success after two refused dials, got %d calls, err %v", h.count(), err)
	}
}

func TestUnreachableServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now: connection refused
	c, logger := newTestClient(t, "http://"+addr, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err = c.CreateApp(context.Background(), CreateAppRequest{Name: "n", AllowedScopes: []string{"openid"}})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Sent || MayHaveApplied(err) {
		t.Fatalf("want an unsent RequestError, got %#v", err)
	}
	if n := logger.count("WARN retrying"); n != 2 {
		t.Errorf("create was retried %d times after connection refused, want 2", n)
	}
	if !strings.HasPrefix(err.Error(), "PipesHub API: POST /oauth-clients: ") || strings.Contains(err.Error(), `"http://`) {
		t.Errorf("error text %q", err)
	}
}

func TestTimeoutAfterSendingMayHaveApplied(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := newTestClient(t, srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"openid"}})
	if !errors.Is(err, context.DeadlineExceeded) || !MayHaveApplied(err) {
		t.Fatalf("want a deadline error that may have applied, got %v", err)
	}
}

func TestDeadlineShorterThanRetryAfterFailsAtOnce(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Retry-After", "42")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":{"code":"HTTP_TOO_MANY_REQUESTS","message":"Too many OAuth client requests. Please try again later.","retryAfter":42}}`)
	}}
	c, _ := newServedClient(t, h, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Had it waited, the deadline would have ended the wait, not the 429.
	_, err := c.GetApp(ctx, testAppID)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || apiErr.RetryAfter != 42*time.Second || h.count() != 1 {
		t.Fatalf("want one call and a 429 APIError with RetryAfter 42s, got %d calls, %v", h.count(), err)
	}
	if !strings.HasSuffix(err.Error(), "(retry after 42s)") {
		t.Errorf("error %q does not say when to retry", err)
	}
}

func TestDeadlineShorterThanBackoffNamesTheWait(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(502) }}
	c, _ := newServedClient(t, h, func(cfg *Config) { cfg.RetryWaitMin, cfg.RetryWaitMax = 10*time.Second, 20*time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.GetApp(ctx, testAppID)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter < 10*time.Second || h.count() != 1 {
		t.Fatalf("want a 502 APIError naming a wait of at least 10s after one call, got %d calls, %v", h.count(), err)
	}
}

func TestCancelEndsRetryWaitAtOnce(t *testing.T) {
	t.Parallel()
	h := &countingHandler{respond: func(w http.ResponseWriter, _ *http.Request, _ int) {
		// An hour's wait: had the cancellation not ended it, the test would time out.
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}}
	c, _ := newServedClient(t, h, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.CreateApp(ctx, CreateAppRequest{Name: "n", AllowedScopes: []string{"openid"}})
	if !errors.Is(err, context.Canceled) || MayHaveApplied(err) || h.count() != 1 {
		t.Fatalf("want a cancellation that did not apply (the only answer was a 429), got %v", err)
	}
}

func TestRetryAfterFromHeader(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 8, 22, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		status  int
		headers map[string]string
		want    time.Duration
		ok      bool
	}{
		{"seconds", 429, map[string]string{"Retry-After": "42"}, 42 * time.Second, true},
		{"seconds on 503", 503, map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{"zero", 429, map[string]string{"Retry-After": "0"}, 0, true},
		{"http date", 429, map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{"date in the past", 429, map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0, true},
		{"ratelimit-reset on 429", 429, map[string]string{"RateLimit-Reset": "17"}, 17 * time.Second, true},
		{"retry-after wins", 429, map[string]string{"Retry-After": "5", "RateLimit-Reset": "17"}, 5 * time.Second, true},
		{"ratelimit-reset ignored on 503", 503, map[string]string{"RateLimit-Reset": "17"}, 0, false},
		{"garbage", 429, map[string]string{"Retry-After": "soon"}, 0, false},
		{"negative", 429, map[string]string{"Retry-After": "-5"}, 0, false},
		{"capped", 429, map[string]string{"Retry-After": "99999999"}, maxRetryAfter, true},
		{"none", 429, nil, 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.headers {
			h.Set(k, v)
		}
		got, ok := retryAfterFromHeader(h, tt.status, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %s, %v; want %s, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestExponentialBackoffBounds(t *testing.T) {
	t.Parallel()
	waitMin, waitMax := 10*time.Second, time.Hour
	jitters := []float64{0, math.Nextafter(1, 0)} // both ends, and random draws between
	for range 50 {
		jitters = append(jitters, rand.Float64())
	}
	for attempt := range 70 {
		step := time.Duration(min(float64(waitMin)*math.Pow(2, float64(attempt)), float64(waitMax)))
		for _, jitter := range jitters {
			got := exponentialBackoff(waitMin, waitMax, attempt, jitter)
			if got < waitMin || got > waitMax || got < step/2 || got > step {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, got, max(step/2, waitMin), step)
			}
		}
	}
}

// TestZeroRetryClassIsNotRepeated: a request whose retry class nobody chose
// (a new endpoint added without thought) is never repeated once it may have
// reached PipesHub, after a lost answer or a 5xx; a 429 still is.
func TestZeroRetryClassIsNotRepeated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		respond func(w http.ResponseWriter, r *http.Request)
		calls   int
	}{
		{"lost answer", func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w, r) }, 1},
		{"503", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, 1},
		{"429", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &countingHandler{respond: func(w http.ResponseWriter, r *http.Request, _ int) { tc.respond(w, r) }}
			c, _ := newServedClient(t, h, nil)
			err := c.call(context.Background(), request{method: http.MethodPost, path: "/oauth-clients/" + testAppID + "/new-action"}, nil)
			if err == nil || h.count() != tc.calls {
				t.Fatalf("%d calls, err %v; want %d calls and an error", h.count(), err, tc.calls)
			}
		})
	}
}
