package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// maxMessageLen bounds a server message copied into an error.
const maxMessageLen = 1000

// redacted replaces a known secret that a server message happened to echo.
const redacted = "[REDACTED]"

// errorBody covers both error shapes PipesHub sends: the app envelope
// {"error":{"code","message","retryAfter"}} and, on /oauth2/token and
// /oauth2/revoke, RFC 6749's
// {"error":"...","error_description":"..."}.
type errorBody struct {
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

type errorEnvelope struct {
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	RetryAfter *float64 `json:"retryAfter"`
}

// decodeErrorResponse turns a non-2xx response into an *APIError or, for the
// OAuth endpoints' RFC 6749 bodies, an *OAuthError. The body is never copied
// raw: only the envelope's code and message, scrubbed of the given secrets.
// oauthShape is true on the token and revoke endpoints, the only ones that
// answer in RFC 6749's shape.
func decodeErrorResponse(method, path string, status int, header http.Header, body []byte, oauthShape bool, secrets []string) error {
	retryAfter, _ := retryAfterFromHeader(header, status, time.Now())
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil && len(eb.Error) > 0 {
		switch bytes.TrimSpace(eb.Error)[0] {
		case '"':
			var code string
			if oauthShape && json.Unmarshal(eb.Error, &code) == nil {
				return &OAuthError{
					StatusCode:  status,
					ErrorCode:   scrub(code, secrets),
					Description: scrub(eb.ErrorDescription, secrets),
					Path:        path,
				}
			}
		case '{':
			var env errorEnvelope
			if json.Unmarshal(eb.Error, &env) == nil {
				if retryAfter == 0 && env.RetryAfter != nil && *env.RetryAfter > 0 && *env.RetryAfter < 1e6 {
					retryAfter = time.Duration(*env.RetryAfter * float64(time.Second))
				}
				return &APIError{
					Method: method, Path: path, StatusCode: status,
					Code:       scrub(env.Code, secrets),
					Message:    scrub(env.Message, secrets),
					RetryAfter: retryAfter,
				}
			}
		}
	}
	msg := nonJSONMessage(status, header.Get("Content-Type"))
	if status >= 300 && status < 400 {
		msg = redirectMessage(header.Get("Location"))
	}
	return &APIError{Method: method, Path: path, StatusCode: status, Message: msg, RetryAfter: retryAfter}
}

// redirectMessage names where the server points (without any userinfo) so
// that the server URL can be fixed.
func redirectMessage(location string) string {
	u, err := url.Parse(location)
	if location == "" || err != nil {
		return "the server answered with a redirect; check the server URL"
	}
	u.User = nil
	return fmt.Sprintf("the server redirects to %q; set the server URL to the final address", u.Redacted())
}

// nonJSONMessage describes a body that is not PipesHub's envelope (an HTML
// fallback page, a proxy's error page) without quoting it.
func nonJSONMessage(status int, contentType string) string {
	kind := "an unexpected"
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		kind = fmt.Sprintf("a non-JSON (%s)", mt)
	}
	msg := fmt.Sprintf("%s %s response", kind, strings.ToLower(http.StatusText(status)))
	if status == http.StatusNotFound {
		msg += "; is the server URL right (it should end in /api/v1)?"
	}
	return strings.TrimSpace(msg)
}

// scrub removes secrets from a server-provided string and bounds its length.
func scrub(s string, secrets []string) string {
	s = strings.ToValidUTF8(s, "?")
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	if utf8.RuneCountInString(s) > maxMessageLen {
		s = string([]rune(s)[:maxMessageLen]) + "…"
	}
	return s
}
