package client

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// DefaultUserAgent is sent when Config.UserAgent is empty.
const DefaultUserAgent = "terraform-provider-pipeshub"

// defaultAttemptTimeout bounds one attempt when the caller gives no HTTPClient,
// so that a server that accepts the connection and never answers fails a
// request in well under a minute (with its one retry, maxSilentRetries).
// Waits for PipesHub's rate limit are outside it: they happen between
// attempts, bounded by the operation's deadline.
const defaultAttemptTimeout = 15 * time.Second

// maxIdleConnsPerHost is how many connections to PipesHub stay open between
// requests: more than the 10 operations Terraform runs at once by default
// (-parallelism), so that a large apply reuses its connections instead of
// dialling, and against PipesHub shaking hands over TLS, for most requests
// (cleanhttp keeps GOMAXPROCS + 1: 3 on two cores).
const maxIdleConnsPerHost = 16

// Config configures a Client.
type Config struct {
	// ServerURL is https://host or https://host/api/v1 (normalised by NormalizeServerURL).
	ServerURL string
	// AllowInsecureHTTP lets ServerURL use plain http:// for a host that is not
	// a loopback host. Off, such a URL makes New fail with an *InsecureHTTPError,
	// so that a typo cannot send the bearer token unencrypted across a network.
	AllowInsecureHTTP bool
	// BearerToken is sent as "Authorization: Bearer ..."; never logged or put in an error.
	BearerToken string
	// UserAgent names the caller, e.g. "terraform-provider-pipeshub/1.2.3 (+terraform 1.11.4)".
	UserAgent string
	// MaxRetries bounds retries of one request (0 means no retry; negative is invalid).
	MaxRetries int
	// RequestsPerMinute is an optional client-side ceiling (0 = none).
	RequestsPerMinute int
	// HTTPClient is the base client whose Transport is wrapped (nil = cleanhttp pooled, with maxIdleConnsPerHost).
	HTTPClient *http.Client
	// Logger receives one line per request/response/retry (nil = silent). Messages and fields never hold secrets.
	Logger Logger
	// RetryWaitMin / RetryWaitMax bound exponential backoff (0 = 1s / 30s). Tests set them small.
	RetryWaitMin, RetryWaitMax time.Duration
	// InterruptGrace is how long a write already sent may run on after its
	// context is cancelled (0 = DefaultInterruptGrace; negative = none).
	InterruptGrace time.Duration
}

// Logger is the client's logging hook, so that this package needs no Terraform import.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Client is a PipesHub OAuth-clients API client, safe for concurrent use.
type Client struct {
	baseURL     string
	bearerToken string
	userAgent   string
	maxRetries  int
	waitMin     time.Duration
	waitMax     time.Duration
	logger      Logger
	pacer       *pacer
	clock       *serverClock
	// interruptGrace: see Config.InterruptGrace.
	interruptGrace time.Duration
	// creates records what this client created, for recovering lost answers.
	creates *createLedger
	// httpClient is built once in New around the caller's transport and shared
	// by every request; its Transport is never replaced afterwards.
	httpClient *http.Client
}

// New builds a Client. It fails on a malformed ServerURL, on plain http to a
// non-loopback host unless AllowInsecureHTTP (an *InsecureHTTPError), or on a
// negative MaxRetries.
func New(cfg Config) (*Client, error) {
	base, err := NormalizeServerURL(cfg.ServerURL, cfg.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("max retries must be 0 or more, got %d", cfg.MaxRetries)
	}
	if cfg.RequestsPerMinute < 0 {
		return nil, fmt.Errorf("requests per minute must be 0 (no limit) or more, got %d", cfg.RequestsPerMinute)
	}
	waitMin, waitMax := cfg.RetryWaitMin, cfg.RetryWaitMax
	if waitMin <= 0 {
		waitMin = time.Second
	}
	if waitMax <= 0 {
		waitMax = 30 * time.Second
	}
	if waitMax < waitMin {
		return nil, errors.New("retry wait max must not be below retry wait min")
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	logger := cfg.Logger
	if logger == nil {
		logger = silentLogger{}
	}

	base0 := cfg.HTTPClient
	if base0 == nil {
		transport := cleanhttp.DefaultPooledTransport()
		transport.MaxIdleConnsPerHost = maxIdleConnsPerHost
		base0 = &http.Client{Transport: transport, Timeout: defaultAttemptTimeout}
	}
	p := newPacer(cfg.RequestsPerMinute, logger)
	clock := &serverClock{}
	// A copy, so that the caller's http.Client is left as it was given.
	hc := *base0
	// Redirects are answered, not followed: net/http would turn a redirected
	// POST (create) into a GET and drop the Authorization header on another
	// host. A redirect means the server URL is wrong, and the error says so.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	return &Client{
		baseURL:        base,
		bearerToken:    cfg.BearerToken,
		userAgent:      ua,
		maxRetries:     cfg.MaxRetries,
		waitMin:        waitMin,
		waitMax:        waitMax,
		logger:         logger,
		pacer:          p,
		clock:          clock,
		interruptGrace: cmp.Or(max(cfg.InterruptGrace, -1), DefaultInterruptGrace),
		creates:        newCreateLedger(),
		httpClient:     &hc,
	}, nil
}

// BaseURL returns the normalised server URL ending in /api/v1.
func (c *Client) BaseURL() string { return c.baseURL }

type silentLogger struct{}

func (silentLogger) Debug(context.Context, string, map[string]any) {}
func (silentLogger) Warn(context.Context, string, map[string]any)  {}
