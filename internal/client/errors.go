package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

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

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "PipesHub API: %s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", formatWait(e.RetryAfter))
	}
	return b.String()
}

// OAuthError is an RFC 6749 error from /oauth2/token or /oauth2/revoke:
// {"error","error_description"}.
type OAuthError struct {
	StatusCode  int
	ErrorCode   string
	Description string
	// Path is the endpoint that answered, relative to the server URL.
	Path string
}

func (e *OAuthError) Error() string {
	endpoint := "token"
	if e.Path == revokePath {
		endpoint = "revoke"
	}
	msg := fmt.Sprintf("PipesHub OAuth %s endpoint: HTTP %d %s", endpoint, e.StatusCode, e.ErrorCode)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// RequestError is a request that got no HTTP response: the connection failed,
// was lost, or the context ended. Sent tells whether the request may have
// reached the server.
type RequestError struct {
	Method string
	Path   string
	// Sent is false only when the request certainly never reached the server
	// (a dial error, or the context ended while waiting for a pacing slot).
	Sent bool
	// RetryAfter is set when the client gave up because the next retry would
	// have passed the context deadline.
	RetryAfter time.Duration
	Err        error
}

func (e *RequestError) Error() string {
	msg := fmt.Sprintf("PipesHub API: %s %s: %v", e.Method, e.Path, e.Err)
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", formatWait(e.RetryAfter))
	}
	return msg
}

func (e *RequestError) Unwrap() error { return e.Err }

// DecodeError is a success response whose body is not the documented JSON. The
// request was applied; only its answer is unreadable.
type DecodeError struct {
	Method     string
	Path       string
	StatusCode int
	Err        error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("PipesHub API: %s %s: HTTP %d with an unexpected response body: %v", e.Method, e.Path, e.StatusCode, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// ClientIDNotFoundError is FindAppByClientID's miss: none of the apps
// PipesHub listed to the caller has the client id. PipesHub lists only the
// caller's own apps (internal/emulator/README.md §2), so the app may exist
// and belong to another user, or have been deleted.
type ClientIDNotFoundError struct {
	ClientID string
	Listed   int // how many of the caller's apps were compared
}

func (e *ClientIDNotFoundError) Error() string {
	return fmt.Sprintf("PipesHub API: GET /oauth-clients: none of the %d OAuth apps listed to this credential has client_id %q",
		e.Listed, e.ClientID)
}

// IsNotFound reports whether err is an *APIError with status 404, or a
// *ClientIDNotFoundError.
func IsNotFound(err error) bool {
	var (
		apiErr      *APIError
		clientIDErr *ClientIDNotFoundError
	)
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound || errors.As(err, &clientIDErr)
}

// MayHaveApplied reports whether a non-idempotent request may have been applied
// although no success response arrived (connection lost after the request was
// written, timeout, 5xx), so that the caller can look for its result.
func MayHaveApplied(err error) bool {
	var (
		apiErr *APIError
		reqErr *RequestError
		decErr *DecodeError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr.StatusCode >= 500
	case errors.As(err, &reqErr):
		return reqErr.Sent
	case errors.As(err, &decErr):
		return true
	}
	return false
}

// formatWait prints a wait in whole seconds when it is at least one second.
func formatWait(d time.Duration) string {
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}
