package client

// CONTRACT FILE written by the lead: the exported surface of the client that the
// provider codes against. The client helper implements every body (replacing
// the panics) and may move them to other files, but must keep these names and
// signatures (additions are fine). Delete this comment when done.

import (
	"context"
	"net/http"
	"time"
)

// Config configures a Client.
type Config struct {
	// ServerURL is https://host or https://host/api/v1 (normalised by NormalizeServerURL).
	ServerURL string
	// BearerToken is sent as "Authorization: Bearer ..."; never logged or put in an error.
	BearerToken string
	// UserAgent names the caller, e.g. "terraform-provider-pipeshub/1.2.3 (+terraform 1.11.4)".
	UserAgent string
	// MaxRetries bounds retries of one request (0 means no retry; negative is invalid).
	MaxRetries int
	// RequestsPerMinute is an optional client-side ceiling (0 = none).
	RequestsPerMinute int
	// HTTPClient is the base client whose Transport is wrapped (nil = cleanhttp pooled).
	HTTPClient *http.Client
	// Logger receives one line per request/response/retry (nil = silent). Messages and fields never hold secrets.
	Logger Logger
	// RetryWaitMin / RetryWaitMax bound exponential backoff (0 = 1s / 30s). Tests set them small.
	RetryWaitMin, RetryWaitMax time.Duration
}

// Logger is the client's logging hook, so that this package needs no Terraform import.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Client is a PipesHub OAuth-clients API client, safe for concurrent use.
type Client struct{}

// New builds a Client. It fails on a malformed ServerURL or a negative MaxRetries.
func New(cfg Config) (*Client, error) { panic("unimplemented") }

// NormalizeServerURL accepts https://host, https://host/ and https://host/api/v1 and returns ".../api/v1".
func NormalizeServerURL(raw string) (string, error) { panic("unimplemented") }

// BaseURL returns the normalised server URL ending in /api/v1.
func (c *Client) BaseURL() string { panic("unimplemented") }

func (c *Client) ListApps(ctx context.Context, p ListAppsParams) (*AppList, error) {
	panic("unimplemented")
}

// ListAllApps walks every page (limit 100) and returns all apps matching status and search ("" = any).
func (c *Client) ListAllApps(ctx context.Context, status, search string) ([]App, error) {
	panic("unimplemented")
}
func (c *Client) CreateApp(ctx context.Context, req CreateAppRequest) (*AppWithSecret, error) {
	panic("unimplemented")
}

// ListScopes returns the caller's scope catalogue flattened, in the API's category order.
func (c *Client) ListScopes(ctx context.Context) ([]Scope, error)        { panic("unimplemented") }
func (c *Client) GetApp(ctx context.Context, appID string) (*App, error) { panic("unimplemented") }
func (c *Client) UpdateApp(ctx context.Context, appID string, req UpdateAppRequest) (*App, error) {
	panic("unimplemented")
}
func (c *Client) DeleteApp(ctx context.Context, appID string) error { panic("unimplemented") }
func (c *Client) RegenerateSecret(ctx context.Context, appID string) (*RegeneratedSecret, error) {
	panic("unimplemented")
}
func (c *Client) SuspendApp(ctx context.Context, appID string) (*App, error)  { panic("unimplemented") }
func (c *Client) ActivateApp(ctx context.Context, appID string) (*App, error) { panic("unimplemented") }
func (c *Client) ListTokens(ctx context.Context, appID string) ([]Token, error) {
	panic("unimplemented")
}
func (c *Client) RevokeAllTokens(ctx context.Context, appID string) error { panic("unimplemented") }

// ClientCredentialsToken calls POST {base}/oauth2/token with grant_type=client_credentials
// (client_secret_basic). scopes nil = the app's allowed scopes. Errors are *OAuthError
// (token endpoint JSON) or *APIError (app envelope, e.g. 429, VALIDATION_ERROR).
func (c *Client) ClientCredentialsToken(ctx context.Context, clientID, clientSecret string, scopes []string) (*AccessToken, error) {
	panic("unimplemented")
}

// APIError is every non-2xx answer in PipesHub's envelope {"error":{"code","message"}}.
// Error() reads like: `PipesHub API: PUT /oauth-clients/{id}: HTTP 404 HTTP_NOT_FOUND: OAuth app not found`.
type APIError struct {
	Method     string
	Path       string // path relative to the base URL, e.g. /oauth-clients/0123...
	StatusCode int
	Code       string        // PipesHub error code, e.g. VALIDATION_ERROR; "" when the body was not the envelope
	Message    string        // PipesHub message (or a short, secret-free excerpt of a non-JSON body)
	RetryAfter time.Duration // from Retry-After / RateLimit-Reset / retryAfter, 0 if none
}

func (e *APIError) Error() string { panic("unimplemented") }

// OAuthError is an RFC 6749 error from /oauth2/token: {"error","error_description"}.
type OAuthError struct {
	StatusCode  int
	ErrorCode   string
	Description string
}

func (e *OAuthError) Error() string { panic("unimplemented") }

// IsNotFound reports whether err is an *APIError with status 404.
func IsNotFound(err error) bool { panic("unimplemented") }

// IsRateLimited reports whether err is an *APIError with status 429.
func IsRateLimited(err error) bool { panic("unimplemented") }

// MayHaveApplied reports whether a non-idempotent request may have been applied
// although no success response arrived (connection lost after the request was
// written, timeout, 5xx), so that the caller can look for its result.
func MayHaveApplied(err error) bool { panic("unimplemented") }
