package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
)

// Error codes and messages PipesHub answers with (internal/emulator/README.md §3, §8).
const (
	codeBadRequest      = "HTTP_BAD_REQUEST"
	codeUnauthorized    = "HTTP_UNAUTHORIZED"
	codeNotFound        = "HTTP_NOT_FOUND"
	codeTooManyRequests = "HTTP_TOO_MANY_REQUESTS"
	codeValidation      = "VALIDATION_ERROR"
	codeInvalidScope    = "OAUTH_INVALID_SCOPE"
	codeInvalidRedirect = "OAUTH_INVALID_REDIRECT_URI"
	codeInternal        = "INTERNAL_ERROR"

	msgAppNotFound     = "OAuth app not found"
	msgNoToken         = "No token provided"
	msgInvalidToken    = "Invalid token"
	msgUserNotFound    = "User not found, please login again"
	msgTooManyRequests = "Too many OAuth client requests. Please try again later."
	msgTooManyGlobal   = "Too many requests. Please try again later."
	msgInternal        = "An unexpected error occurred"
	msgXSS             = "HTML tags, scripts, and XSS content are not allowed. Please remove any HTML tags and try again."
)

// apiError is a failure answered in PipesHub's envelope
// {"error":{"code","message"}}; a 429 also carries retryAfter. It is only
// ever written to the response (writeError), never returned as an error.
type apiError struct {
	status     int
	code       string
	message    string
	retryAfter *int // only rendered on 429, where PipesHub always has the key
}

func newError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func notFound() *apiError { return newError(http.StatusNotFound, codeNotFound, msgAppNotFound) }

func internalError() *apiError {
	return newError(http.StatusInternalServerError, codeInternal, msgInternal)
}

// writeJSON answers like Express's res.json: UTF-8 JSON without HTML escaping.
func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := marshalJSON(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"INTERNAL_ERROR","message":"An unexpected error occurred"}}`)
	}
	writeRaw(w, status, "application/json; charset=utf-8", b)
}

// marshalJSON encodes like JSON.stringify: no escaping of <, > and &.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *apiError) {
	type envelope429 struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		RetryAfter *int   `json:"retryAfter"`
	}
	type envelope struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if e.status == http.StatusTooManyRequests {
		writeJSON(w, e.status, map[string]any{"error": envelope429{e.code, e.message, e.retryAfter}})
		return
	}
	writeJSON(w, e.status, map[string]any{"error": envelope{e.code, e.message}})
}

// oauthError is the RFC 6749 error body of the /oauth2 routes.
type oauthError struct {
	status      int
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) { writeJSON(w, e.status, e) }

// indexHTML stands in for the web app's index.html, which PipesHub's SPA
// fallback sends for every GET that no API route matched.
const indexHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PipesHub</title></head><body><div id="root"></div></body></html>`

// writeUnmatched answers a path no route matched as PipesHub does (internal/emulator/README.md
// §8): never JSON. GETs get the SPA page, other methods Express's 404 page.
func writeUnmatched(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		writeRaw(w, http.StatusOK, "text/html; charset=UTF-8", []byte(indexHTML))
		return
	}
	page := "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot " +
		html.EscapeString(r.Method+" "+r.URL.EscapedPath()) + "</pre>\n</body>\n</html>\n"
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	writeRaw(w, http.StatusNotFound, "text/html; charset=utf-8", []byte(page))
}

// defaultCode is the envelope code PipesHub's HttpError subclasses use for a status.
func defaultCode(status int) string {
	switch status {
	case http.StatusInternalServerError:
		return codeInternal
	case http.StatusUnprocessableEntity:
		return "HTTP_UNPROCESSABLE_ENTITY"
	}
	return "HTTP_" + strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(http.StatusText(status), " ", "_"), "-", "_"))
}

// defaultMessage is the envelope message a fault gets when it names none.
func defaultMessage(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return msgTooManyRequests
	case http.StatusInternalServerError:
		return msgInternal
	case http.StatusNotFound:
		return msgAppNotFound
	}
	return http.StatusText(status)
}
