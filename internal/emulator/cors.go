package emulator

import "net/http"

// PipesHub's cors options when ALLOWED_ORIGINS is not set
// (internal/emulator/README.md §3.1).
const (
	corsAllowedOrigin  = "http://localhost:3000"
	corsExposedHeaders = "x-session-token,content-disposition"
	corsAllowedMethods = "GET,POST,PUT,DELETE,OPTIONS"
	corsAllowedHeaders = "Content-Type,Authorization,x-session-token"
)

// serveCORS sets the headers Express and the cors middleware put on every
// answer, before any other middleware runs, and answers a preflight (any
// OPTIONS request) itself with 204. It reports whether the request goes on.
func serveCORS(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("X-Powered-By", "Express")
	if r.Header.Get("Origin") == corsAllowedOrigin {
		h.Set("Access-Control-Allow-Origin", corsAllowedOrigin)
	}
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Credentials", "true")
	if r.Method != http.MethodOptions {
		h.Set("Access-Control-Expose-Headers", corsExposedHeaders)
		return true
	}
	h.Set("Access-Control-Allow-Methods", corsAllowedMethods)
	h.Set("Access-Control-Allow-Headers", corsAllowedHeaders)
	h.Set("Access-Control-Expose-Headers", corsExposedHeaders)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return false
}
