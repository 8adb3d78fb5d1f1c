package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
)

// listAllPageSize is the largest page PipesHub serves (limit 1–100).
const listAllPageSize = 100

// AppIDPattern is PipesHub's appId rule (a Mongo ObjectId). The client checks
// it before every call so that an empty or odd id cannot reach another route
// (GET /oauth-clients/scopes and GET /oauth-clients/ are real routes); the
// provider checks it at plan and import time.
var AppIDPattern = regexp.MustCompile(`^[a-fA-F0-9]{24}$`)

// ClientIDPattern is the form of an app's OAuth client id: a UUID as
// PipesHub writes it, lower-case hex (internal/emulator/README.md §4). The
// token endpoint matches the client id exactly (§10.3), so an upper-case
// spelling names no app there either.
var ClientIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// appMessage is the {message, app} envelope of update, suspend and activate.
type appMessage struct {
	Message string `json:"message"`
	App     *App   `json:"app"`
}

func (m *appMessage) missing() string {
	if m.App == nil || m.App.ID == "" {
		return "the response has no app"
	}
	return ""
}

// appWithSecretMessage is the 201 body of create.
type appWithSecretMessage struct {
	Message string         `json:"message"`
	App     *AppWithSecret `json:"app"`
}

func (m *appWithSecretMessage) missing() string {
	if m.App == nil || m.App.ID == "" || m.App.ClientSecret == "" {
		return "the response has no app with an id and a client secret"
	}
	return ""
}

func (a *App) missing() string {
	if a.ID == "" {
		return "the response is not an app"
	}
	return ""
}

func (s *RegeneratedSecret) missing() string {
	if s.ClientSecret == "" {
		return "the response has no client secret"
	}
	return ""
}

// tokenList is the body of GET /oauth-clients/{appId}/tokens.
type tokenList struct {
	Tokens []Token `json:"tokens"`
}

// appRequest is a request on an existing app, to its path plus suffix; all
// of them are repeatable. An invalid appID makes send fail before anything
// is sent.
func appRequest(method, appID, suffix string, body []byte) request {
	r := request{method: method, path: "/oauth-clients/" + appID + suffix, body: body, retry: repeatable}
	if !AppIDPattern.MatchString(appID) {
		r.invalid = fmt.Errorf("invalid PipesHub app ID %q: expected 24 hexadecimal characters", appID)
	}
	return r
}

// ListApps returns one page of the caller's apps. Zero-valued parameters are
// not sent, so PipesHub's defaults apply.
func (c *Client) ListApps(ctx context.Context, p ListAppsParams) (*AppList, error) {
	q := url.Values{}
	if p.Page > 0 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if p.Search != "" {
		q.Set("search", p.Search)
	}
	return fetch[AppList](ctx, c, request{method: http.MethodGet, path: "/oauth-clients", query: q, retry: repeatable})
}

// ListAllApps walks every page (limit 100) and returns all apps matching status and search ("" = any).
func (c *Client) ListAllApps(ctx context.Context, status, search string) ([]App, error) {
	return c.ListAppsUpTo(ctx, status, search, 0)
}

// ListAppsUpTo is ListAllApps that stops once it has atMost apps (0 = no
// bound), so that a caller wanting the first few reads no further page.
func (c *Client) ListAppsUpTo(ctx context.Context, status, search string, atMost int) ([]App, error) {
	pageSize := listAllPageSize
	if atMost > 0 {
		pageSize = min(pageSize, atMost)
	}
	var all []App
	err := c.walkApps(ctx, status, search, pageSize, func(page []App) bool {
		all = append(all, page...)
		return atMost > 0 && len(all) >= atMost
	})
	if err != nil {
		return nil, err
	}
	if atMost > 0 && len(all) > atMost {
		all = all[:atMost]
	}
	return all, nil
}

// FindAppByClientID returns the caller's app whose OAuth client id is
// clientID. PipesHub has no route that looks an app up by client id, and its
// list search matches only name and description (internal/emulator/README.md
// §5.1), so this walks the caller's apps, pages of 100 newest first, and
// stops at the page that holds the app: an app among the newest 100 costs one
// call. Only the caller's own apps are listed (§2), so another user's app is
// a miss, as a deleted one is: a *ClientIDNotFoundError, which IsNotFound
// recognises, after one call per page of the caller's apps. A clientID that
// is not a UUID (ClientIDPattern) is an error before any call.
func (c *Client) FindAppByClientID(ctx context.Context, clientID string) (*App, error) {
	if !ClientIDPattern.MatchString(clientID) {
		return nil, fmt.Errorf("invalid OAuth client id %q: expected a UUID in lower case", clientID)
	}
	var found *App
	listed := 0
	err := c.walkApps(ctx, "", "", listAllPageSize, func(page []App) bool {
		listed += len(page)
		for i := range page {
			if page[i].ClientID == clientID {
				found = &page[i]
				return true
			}
		}
		return false
	})
	switch {
	case err != nil:
		return nil, err
	case found == nil:
		return nil, &ClientIDNotFoundError{ClientID: clientID, Listed: listed}
	}
	return found, nil
}

// walkApps reads the caller's apps matching status and search ("" = any),
// pageSize to a page, and hands each page's new apps to visit until visit
// returns true or the list ends. Pages are offsets into a list sorted newest
// first, so an app created during the walk shifts later pages by one; an app
// seen twice is handed over once.
func (c *Client) walkApps(ctx context.Context, status, search string, pageSize int, visit func(page []App) (stop bool)) error {
	seen := map[string]bool{}
	for page := 1; ; page++ {
		list, err := c.ListApps(ctx, ListAppsParams{Page: page, Limit: pageSize, Status: status, Search: search})
		if err != nil {
			return err
		}
		fresh := make([]App, 0, len(list.Data))
		for _, app := range list.Data {
			if !seen[app.ID] {
				seen[app.ID] = true
				fresh = append(fresh, app)
			}
		}
		if visit(fresh) {
			return nil
		}
		// An empty page also ends the walk, so that a server that keeps
		// reporting more pages cannot loop us forever.
		if page >= list.Pagination.TotalPages || len(list.Data) == 0 {
			return nil
		}
	}
}

// CreateApp registers an app. It is never retried once the request may have
// reached PipesHub (see MayHaveApplied); the secret is only in this response.
func (c *Client) CreateApp(ctx context.Context, req CreateAppRequest) (*AppWithSecret, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encoding the create request: %w", err)
	}
	out, err := fetch[appWithSecretMessage](ctx, c, request{method: http.MethodPost, path: "/oauth-clients", body: body, retry: notRepeatable})
	if err != nil {
		return nil, err
	}
	return out.App, nil
}

// GetApp reads one of the caller's apps; IsNotFound when it is missing,
// deleted or someone else's.
func (c *Client) GetApp(ctx context.Context, appID string) (*App, error) {
	return fetch[App](ctx, c, appRequest(http.MethodGet, appID, "", nil))
}

// UpdateApp applies a partial update; zero fields of req stay unchanged.
func (c *Client) UpdateApp(ctx context.Context, appID string, req UpdateAppRequest) (*App, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encoding the update request: %w", err)
	}
	return c.appAction(ctx, http.MethodPut, appID, "", body)
}

// DeleteApp soft-deletes an app and revokes its tokens.
func (c *Client) DeleteApp(ctx context.Context, appID string) error {
	return c.call(ctx, appRequest(http.MethodDelete, appID, "", nil), nil)
}

// RegenerateSecret replaces the client secret; existing tokens stay valid.
func (c *Client) RegenerateSecret(ctx context.Context, appID string) (*RegeneratedSecret, error) {
	return fetch[RegeneratedSecret](ctx, c, appRequest(http.MethodPost, appID, "/regenerate-secret", nil))
}

// SuspendApp suspends an app and returns it; an app already suspended
// counts as success (see setStatus).
func (c *Client) SuspendApp(ctx context.Context, appID string) (*App, error) {
	return c.setStatus(ctx, appID, "/suspend", StatusSuspended)
}

// ActivateApp re-activates an app and returns it; an app already active
// counts as success (see setStatus).
func (c *Client) ActivateApp(ctx context.Context, appID string) (*App, error) {
	return c.setStatus(ctx, appID, "/activate", StatusActive)
}

// setStatus moves an app to status through action. PipesHub answers 400
// "OAuth app is already <status>" when there is nothing to do, which is what
// a retry after a lost answer gets; and an error that may have been applied
// (5xx, lost answer, timeout) leaves the outcome open. In both cases one
// GET settles it: the app in the wanted status is success. That GET runs on a
// context of its own when the deadline is what ended the write; after an
// interrupt nothing new starts, the GET neither: the error stands, and the
// next refresh reads the status.
func (c *Client) setStatus(ctx context.Context, appID, action, status string) (*App, error) {
	app, err := c.appAction(ctx, http.MethodPost, appID, action, nil)
	if err == nil || errors.Is(ctx.Err(), context.Canceled) || !(MayHaveApplied(err) || isAlreadyInStatus(err, status)) {
		return app, err
	}
	confirmCtx, cancel := followUpContext(ctx)
	defer cancel()
	current, getErr := c.GetApp(confirmCtx, appID)
	if getErr == nil && current.Status == status {
		c.logger.Warn(ctx, "PipesHub API: status change confirmed by reading the app", map[string]any{
			"path": "/oauth-clients/" + appID + action, "status": status, "error": err.Error(),
		})
		return current, nil
	}
	return nil, err
}

// isAlreadyInStatus reports whether err is PipesHub's answer to a suspend
// of a suspended app or an activate of an active one.
func isAlreadyInStatus(err error, status string) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest &&
		apiErr.Message == "OAuth app is already "+status
}

// ListTokens lists the app's unrevoked, unexpired tokens, newest first.
func (c *Client) ListTokens(ctx context.Context, appID string) ([]Token, error) {
	out, err := fetch[tokenList](ctx, c, appRequest(http.MethodGet, appID, "/tokens", nil))
	if err != nil {
		return nil, err
	}
	return out.Tokens, nil
}

// RevokeAllTokens revokes every access and refresh token of the app.
func (c *Client) RevokeAllTokens(ctx context.Context, appID string) error {
	return c.call(ctx, appRequest(http.MethodPost, appID, "/revoke-all-tokens", nil), nil)
}

// appAction sends a request on the app (see appRequest) and returns the app
// from the answer {message, app}.
func (c *Client) appAction(ctx context.Context, method, appID, suffix string, body []byte) (*App, error) {
	out, err := fetch[appMessage](ctx, c, appRequest(method, appID, suffix, body))
	if err != nil {
		return nil, err
	}
	return out.App, nil
}
