package emulator

import "net/http"

// serveRevoke is POST /oauth2/revoke once revokeSchema passed
// (internal/emulator/README.md §10.7): 200 with an empty body whatever
// revoke found, unless the client is refused.
func (e *Emulator) serveRevoke(w http.ResponseWriter, _ *http.Request, req *clientTokenRequest) {
	if oerr := e.revoke(req); oerr != nil {
		writeOAuthError(w, oerr)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// revoke revokes the caller's own access token with that hash, if any. An
// unknown, suspended or wrong-secret client is refused; an absent secret's
// TypeError (row 3b) is swallowed by the controller, so nothing is revoked
// and the answer is still 200.
func (e *Emulator) revoke(req *clientTokenRequest) *oauthError {
	e.mu.Lock()
	defer e.mu.Unlock()
	app, oerr := e.verifyClient(req.clientID, req.clientSecret)
	switch {
	case oerr != nil && oerr.status == http.StatusUnauthorized:
		return oerr
	case oerr != nil:
		return nil
	case req.tokenTypeHint == "refresh_token":
		// Only the refresh-token collection is searched; client_credentials
		// issues no refresh tokens, so there is nothing to revoke.
		return nil
	}
	hash := hashToken(req.token)
	for _, t := range e.st.Tokens {
		if t.TokenHash == hash && t.ClientID == app.ClientID && !t.IsRevoked {
			revokedAt := e.now()
			t.IsRevoked, t.RevokedAt = true, &revokedAt
		}
	}
	// A failed write of the data file is the emulator's own storage
	// failure, reported as grant reports it.
	if e.cfg.DataFile != "" {
		if err := e.st.save(e.cfg.DataFile); err != nil {
			return &oauthError{status: http.StatusBadRequest, Error: "server_error", Description: err.Error()}
		}
	}
	return nil
}
