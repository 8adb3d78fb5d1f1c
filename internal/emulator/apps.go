package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// appPublicFields are the fields of OAuthAppResponse (internal/emulator/README.md §4) up to
// the timestamps, in toAppResponse's key order. The stored app and the
// response embed them, so both carry the same fields in the same order.
type appPublicFields struct {
	ID                   string   `json:"id"`
	Slug                 string   `json:"slug"`
	ClientID             string   `json:"clientId"`
	Name                 string   `json:"name"`
	Description          *string  `json:"description,omitempty"`
	RedirectURIs         []string `json:"redirectUris"`
	AllowedGrantTypes    []string `json:"allowedGrantTypes"`
	AllowedScopes        []string `json:"allowedScopes"`
	Status               string   `json:"status"`
	HomepageURL          *string  `json:"homepageUrl,omitempty"`
	PrivacyPolicyURL     *string  `json:"privacyPolicyUrl,omitempty"`
	TermsOfServiceURL    *string  `json:"termsOfServiceUrl,omitempty"`
	IsConfidential       bool     `json:"isConfidential"`
	AccessTokenLifetime  int64    `json:"accessTokenLifetime"`
	RefreshTokenLifetime int64    `json:"refreshTokenLifetime"`
}

// appView is OAuthAppResponse, in toAppResponse's key order; clientSecret
// is set only in the create response.
type appView struct {
	appPublicFields
	CreatedAt    string `json:"createdAt"`
	UpdatedAt    string `json:"updatedAt"`
	ClientSecret string `json:"clientSecret,omitempty"`
}

func (a *appRecord) view() appView {
	v := appView{appPublicFields: a.appPublicFields, CreatedAt: formatTime(a.CreatedAt), UpdatedAt: formatTime(a.UpdatedAt)}
	v.RedirectURIs, v.AllowedGrantTypes, v.AllowedScopes = nonNil(a.RedirectURIs), nonNil(a.AllowedGrantTypes), nonNil(a.AllowedScopes)
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type messageApp struct {
	Message string  `json:"message"`
	App     appView `json:"app"`
}

type message struct {
	Message string `json:"message"`
}

// serveApps runs validation, lookup and the service for an /oauth-clients
// route, under the state lock. It returns the status and body of a success.
func (e *Emulator) serveApps(route string, user User, in *input) (int, any, *apiError) {
	if route == RouteListScopes {
		raw, err := scopesJSON(user.Role)
		if err != nil {
			return 0, nil, internalError()
		}
		return http.StatusOK, rawJSON(raw), nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch route {
	case RouteListApps:
		return e.listApps(user, in)
	case RouteCreateApp:
		return e.persisted(e.createApp(user, in))
	}
	// One Zod schema holds the route's params and body: PUT reports the
	// issues of both, params first; the other routes have params only.
	var update *appFields
	if route == RouteUpdateApp {
		var bodyErr *apiError
		update, bodyErr = parseUpdate(in.body)
		if err := joinValidation(checkAppID(in.appID), bodyErr); err != nil {
			return 0, nil, err
		}
	} else if err := checkAppID(in.appID); err != nil {
		return 0, nil, err
	}
	app := e.findApp(user, in.appID)
	if app == nil {
		return 0, nil, notFound()
	}
	now := e.now()
	switch route {
	case RouteGetApp:
		return http.StatusOK, app.view(), nil
	case RouteUpdateApp:
		return e.persisted(e.updateApp(user, app, update, now))
	case RouteDeleteApp:
		e.revokeTokens(app.ClientID, now)
		app.IsDeleted, app.DeletedBy, app.Status, app.UpdatedAt = true, user.ID, statusRevoked, now
		return e.persisted(http.StatusOK, message{"OAuth app deleted successfully"}, nil)
	case RouteRegenerateSecret:
		app.Secret, app.UpdatedAt = newSecret(), now
		return e.persisted(http.StatusOK, struct {
			Message      string `json:"message"`
			ClientID     string `json:"clientId"`
			ClientSecret string `json:"clientSecret"`
		}{"Client secret regenerated successfully", app.ClientID, app.Secret}, nil)
	case RouteSuspendApp:
		if app.Status == statusSuspended {
			return 0, nil, newError(http.StatusBadRequest, codeBadRequest, "OAuth app is already suspended")
		}
		app.Status, app.UpdatedAt = statusSuspended, now
		return e.persisted(http.StatusOK, messageApp{"OAuth app suspended successfully", app.view()}, nil)
	case RouteActivateApp:
		switch app.Status {
		case statusRevoked:
			return 0, nil, newError(http.StatusBadRequest, codeBadRequest, "Cannot activate a revoked app")
		case statusActive:
			return 0, nil, newError(http.StatusBadRequest, codeBadRequest, "OAuth app is already active")
		}
		app.Status, app.UpdatedAt = statusActive, now
		return e.persisted(http.StatusOK, messageApp{"OAuth app activated successfully", app.view()}, nil)
	case RouteListTokens:
		return http.StatusOK, map[string]any{"tokens": e.listTokens(app.ClientID, now)}, nil
	case RouteRevokeAllTokens:
		e.revokeTokens(app.ClientID, now)
		return e.persisted(http.StatusOK, message{"All tokens revoked successfully"}, nil)
	}
	return 0, nil, internalError()
}

// persisted saves the state after a successful change when -data is set; a
// failed write is a 500, as a database error would be.
func (e *Emulator) persisted(status int, body any, apiErr *apiError) (int, any, *apiError) {
	if apiErr != nil || e.cfg.DataFile == "" {
		return status, body, apiErr
	}
	if err := e.st.save(e.cfg.DataFile); err != nil {
		return 0, nil, internalError()
	}
	return status, body, nil
}

// findApp is the service's lookup, filtered by (org, creator, not deleted):
// anyone else's app is not found, even for an admin.
func (e *Emulator) findApp(user User, appID string) *appRecord {
	for _, a := range e.st.Apps {
		if strings.EqualFold(a.ID, appID) && a.OrgID == user.OrgID && a.CreatedBy == user.ID && !a.IsDeleted {
			return a
		}
	}
	return nil
}

func (e *Emulator) listApps(user User, in *input) (int, any, *apiError) {
	q, err := parseListQuery(in.query)
	if err != nil {
		return 0, nil, err
	}
	search := strings.ToLower(q.search)
	var matched []*appRecord
	for _, a := range e.st.Apps {
		if a.OrgID != user.OrgID || a.CreatedBy != user.ID || a.IsDeleted || (q.status != "" && a.Status != q.status) {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(a.Name), search) &&
			(a.Description == nil || !strings.Contains(strings.ToLower(*a.Description), search)) {
			continue
		}
		matched = append(matched, a)
	}
	slices.SortFunc(matched, func(a, b *appRecord) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.Seq, a.Seq))
	})
	data := []appView{}
	for i := (q.page - 1) * q.limit; i < len(matched) && i < q.page*q.limit; i++ {
		data = append(data, matched[i].view())
	}
	type pagination struct {
		Page       int `json:"page"`
		Limit      int `json:"limit"`
		Total      int `json:"total"`
		TotalPages int `json:"totalPages"`
	}
	return http.StatusOK, struct {
		Data       []appView  `json:"data"`
		Pagination pagination `json:"pagination"`
	}{data, pagination{q.page, q.limit, len(matched), (len(matched) + q.limit - 1) / q.limit}}, nil
}

// createApp is createAppSchema, then the service: scopes, grant types (the
// enum already holds), redirect URIs; then defaults and generated values.
func (e *Emulator) createApp(user User, in *input) (int, any, *apiError) {
	c, err := parseCreate(in.body)
	if err != nil {
		return 0, nil, err
	}
	if err := checkScopesForRole(c.scopes, user.Role); err != nil {
		return 0, nil, err
	}
	if err := checkRedirectURIs(c.redirectURIs); err != nil {
		return 0, nil, err
	}
	now := e.now().Truncate(time.Millisecond)
	e.st.SlugCounter++
	app := &appRecord{
		appPublicFields: appPublicFields{
			ID:                   newObjectID(now),
			Slug:                 "oauthapp-" + strconv.FormatInt(e.st.SlugCounter, 10),
			ClientID:             newUUID(),
			Name:                 *c.name,
			Description:          c.description,
			RedirectURIs:         nonNil(c.redirectURIs),
			AllowedGrantTypes:    c.grantTypes,
			AllowedScopes:        c.scopes,
			Status:               statusActive,
			HomepageURL:          c.homepageURL.value,
			PrivacyPolicyURL:     c.privacyPolicyURL.value,
			TermsOfServiceURL:    c.termsOfServiceURL.value,
			IsConfidential:       c.isConfidential == nil || *c.isConfidential,
			AccessTokenLifetime:  defaultAccessTokenLifetime,
			RefreshTokenLifetime: defaultRefreshTokenLifetime,
		},
		CreatedAt: now,
		UpdatedAt: now,
		OrgID:     user.OrgID,
		CreatedBy: user.ID,
		Secret:    newSecret(),
		Seq:       e.st.nextSeq(),
	}
	if app.AllowedGrantTypes == nil {
		app.AllowedGrantTypes = slices.Clone(defaultGrants)
	}
	if c.accessTokenLifetime != nil {
		app.AccessTokenLifetime = *c.accessTokenLifetime
	}
	if c.refreshTokenLifetime != nil {
		app.RefreshTokenLifetime = *c.refreshTokenLifetime
	}
	e.st.Apps = append(e.st.Apps, app)
	v := app.view()
	v.ClientSecret = app.Secret
	return http.StatusCreated, struct {
		Message string  `json:"message"`
		App     appView `json:"app"`
	}{"OAuth app created successfully", v}, nil
}

// updateApp is the service's updateApp after the lookup: scopes, redirect
// URIs, then the partial update (grant types need no further check).
func (e *Emulator) updateApp(user User, app *appRecord, f *appFields, now time.Time) (int, any, *apiError) {
	if f.scopes != nil {
		if err := checkScopesForRole(f.scopes, user.Role); err != nil {
			return 0, nil, err
		}
	}
	if f.redirectURIs != nil {
		if err := checkRedirectURIs(f.redirectURIs); err != nil {
			return 0, nil, err
		}
	}
	if f.name != nil {
		app.Name = *f.name
	}
	if f.description != nil {
		app.Description = f.description
	}
	if f.redirectURIs != nil {
		app.RedirectURIs = f.redirectURIs
	}
	if f.grantTypes != nil {
		app.AllowedGrantTypes = f.grantTypes
	}
	if f.scopes != nil {
		app.AllowedScopes = f.scopes
	}
	for _, u := range []struct {
		field urlField
		dst   **string
	}{{f.homepageURL, &app.HomepageURL}, {f.privacyPolicyURL, &app.PrivacyPolicyURL}, {f.termsOfServiceURL, &app.TermsOfServiceURL}} {
		if u.field.present {
			*u.dst = u.field.value
		}
	}
	if f.accessTokenLifetime != nil {
		app.AccessTokenLifetime = *f.accessTokenLifetime
	}
	if f.refreshTokenLifetime != nil {
		app.RefreshTokenLifetime = *f.refreshTokenLifetime
	}
	app.UpdatedAt = now.Truncate(time.Millisecond)
	return http.StatusOK, messageApp{"OAuth app updated successfully", app.view()}, nil
}
