package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// CreatedApp is the outcome of CreateAppSafely.
type CreatedApp struct {
	AppWithSecret
	// Recovered is set when the create's answer was lost and the app was
	// found and adopted; LostAnswer is the error that lost it.
	Recovered  bool
	LostAnswer error
	// SecretError is set when a recovered app's secret could not be
	// regenerated: ClientSecret is then "".
	SecretError error
}

// LostCreateError is a create that may or may not have been applied and
// whose outcome could not be settled: the lookup failed, several unowned
// apps match, or nothing was found where a late create cannot be ruled out.
type LostCreateError struct {
	Name string
	// Cause is the create's own error (lost answer, 5xx, timeout).
	Cause error
	// LookupError is set when looking for the app failed.
	LookupError error
	// Candidates are the ids of the apps that match the request, were
	// created while it was pending, and belong to no other create of this client.
	Candidates []string
	// Answered is set when PipesHub answered the last create (a 5xx) and
	// had created nothing, so it is finished with it; Attempts counts the
	// creates sent.
	Answered bool
	Attempts int
	// Unsettled is set when looking for the app failed: what a later run
	// needs to look again (FindUnsettledCreate), with what it sent and when.
	Unsettled *UnsettledCreate
	// RetryAfter is set by FindUnsettledCreate when it found nothing but an
	// unanswered create may still be applied: looking again after this time
	// (the local clock) can decide.
	RetryAfter time.Time
}

func (e *LostCreateError) Error() string {
	switch {
	case e.LookupError != nil:
		return fmt.Sprintf("%v; PipesHub may have created the app anyway, and looking for it failed: %v", e.Cause, e.LookupError)
	case len(e.Candidates) > 0:
		return fmt.Sprintf("%v; PipesHub may have created the app, and %d apps named %q that match the request were created "+
			"meanwhile (ids %s), more than this run can account for", e.Cause, len(e.Candidates), e.Name, strings.Join(e.Candidates, ", "))
	}
	if !e.RetryAfter.IsZero() {
		return fmt.Sprintf("%v; no app named %q matching the request has been created so far, and PipesHub may still "+
			"apply that create until about %s", e.Cause, e.Name, e.RetryAfter.UTC().Format(time.RFC3339))
	}
	if e.Answered {
		return fmt.Sprintf("%v; PipesHub created no app named %q (checked after each of %d attempts)", e.Cause, e.Name, e.Attempts)
	}
	return fmt.Sprintf("%v; no app named %q matching the request had been created when PipesHub was asked afterwards", e.Cause, e.Name)
}

func (e *LostCreateError) Unwrap() error { return e.Cause }

// createLedger is what one Client knows of its own creates, so that the
// recovery of a lost answer never takes an app another create of this client
// made or adopted (identical sibling resources), nor decides while such a
// create is still in flight.
type createLedger struct {
	mu sync.Mutex
	// settled is closed and replaced whenever inFlight or lost changes.
	settled chan struct{}
	// owned holds the ids this client created or adopted.
	owned map[string]bool
	// inFlight counts the creates sent whose answer has not come, by request.
	inFlight map[string]int
	// lost counts the creates whose answer was lost and that are not yet
	// settled, by request: identical requests are interchangeable, so k lost
	// ones may share out up to k unowned matching apps.
	lost map[string]int
	// recovering lets one recovery at a time list and adopt.
	recovering chan struct{}
}

func newCreateLedger() *createLedger {
	return &createLedger{
		settled:    make(chan struct{}),
		owned:      map[string]bool{},
		inFlight:   map[string]int{},
		lost:       map[string]int{},
		recovering: make(chan struct{}, 1),
	}
}

// changed wakes the recoveries waiting for creates in flight; l.mu is held.
func (l *createLedger) changed() {
	close(l.settled)
	l.settled = make(chan struct{})
}

// siblingWait bounds how long a recovery waits for identical creates still
// in flight to get their answers before it looks.
const siblingWait = 30 * time.Second

// CreateAppSafely creates an app and never leaves an orphan or a duplicate
// behind when the answer is lost. When the create may have been applied (a
// lost or unreadable answer, a 5xx, a timeout or an interrupt), it looks, on
// a context of its own, for the app this request created:
//   - an app matching the request exactly, created (by PipesHub's clock,
//     bounded by the Date headers of its answers) between the request's
//     sending and its failure, and not created or adopted by another create
//     of this client, is adopted and its lost secret regenerated;
//   - when no such app exists and PipesHub answered with a 5xx (so it has
//     finished with the request), the create is sent again, up to the
//     client's retries, within ctx;
//   - otherwise it returns a *LostCreateError with the candidates.
func (c *Client) CreateAppSafely(ctx context.Context, req CreateAppRequest) (*CreatedApp, error) {
	key := req.fingerprint()
	l := c.creates
	for attempt := 0; ; attempt++ {
		l.mu.Lock()
		l.inFlight[key]++
		l.mu.Unlock()
		sent := time.Now()
		created, err := c.CreateApp(ctx, req)
		failed := time.Now()

		l.mu.Lock()
		l.inFlight[key]--
		if err == nil {
			l.owned[created.ID] = true
		} else if MayHaveApplied(err) {
			l.lost[key]++
		}
		l.changed()
		l.mu.Unlock()
		if err == nil {
			return &CreatedApp{AppWithSecret: *created}, nil
		}
		if !MayHaveApplied(err) {
			return nil, err
		}

		app, recoverErr := c.recoverCreate(ctx, req, key, sent, failed, err)
		switch {
		case recoverErr != nil:
			var lost *LostCreateError
			if errors.As(recoverErr, &lost) && lost.LookupError != nil {
				var apiErr *APIError
				lost.Unsettled = &UnsettledCreate{Request: req, Sent: sent, Failed: failed, Answered: errors.As(err, &apiErr)}
			}
			return nil, recoverErr
		case app != nil:
			return c.adopt(ctx, app, err), nil
		}
		// Nothing was created. Only an answer from PipesHub proves that it
		// has finished with the request; after a lost answer or a timeout
		// it could still be working on it, so the create is not repeated.
		var apiErr *APIError
		answered := errors.As(err, &apiErr)
		if !answered || attempt >= c.maxRetries || ctx.Err() != nil {
			return nil, &LostCreateError{Name: req.Name, Cause: err, Answered: answered, Attempts: attempt + 1}
		}
		wait := exponentialBackoff(c.waitMin, c.waitMax, attempt, rand.Float64())
		c.logger.Warn(ctx, "PipesHub created nothing before failing: creating the app again", map[string]any{
			"path": "/oauth-clients", "status": apiErr.StatusCode, "wait_ms": wait.Milliseconds(),
		})
		select {
		case <-ctx.Done():
			return nil, &LostCreateError{Name: req.Name, Cause: err, Answered: true, Attempts: attempt + 1}
		case <-time.After(wait):
		}
	}
}

// recoverCreate looks for the app a create whose answer was lost may have
// made, and returns it (nil when there is none) or a *LostCreateError.
func (c *Client) recoverCreate(ctx context.Context, req CreateAppRequest, key string, sent, failed time.Time, cause error) (*App, error) {
	l := c.creates
	done := func() {
		l.mu.Lock()
		l.lost[key]--
		l.changed()
		l.mu.Unlock()
	}
	ctx, cancel := followUpContext(ctx)
	defer cancel()
	select {
	case l.recovering <- struct{}{}:
		defer func() { <-l.recovering }()
	case <-ctx.Done():
		done()
		return nil, &LostCreateError{Name: req.Name, Cause: cause, LookupError: ctx.Err()}
	}
	defer done()

	// An identical create still in flight will own its app once answered.
	waitUntil := time.Now().Add(siblingWait)
	for {
		l.mu.Lock()
		pending, settled := l.inFlight[key], l.settled
		l.mu.Unlock()
		if pending == 0 || time.Now().After(waitUntil) {
			break
		}
		select {
		case <-settled:
		case <-time.After(time.Until(waitUntil)):
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}

	apps, err := c.ListAllApps(ctx, "", req.Name)
	if err != nil {
		return nil, &LostCreateError{Name: req.Name, Cause: cause, LookupError: err}
	}
	from, _, ok := c.clock.bounds(sent)
	_, to, _ := c.clock.bounds(failed)
	if !ok {
		// PipesHub sent no Date header: fall back to our own clock, give or take a few seconds.
		from, to = sent.Add(-unknownClockSkew), failed.Add(unknownClockSkew)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	candidates := matchingApps(apps, req, from, to, l.owned)
	switch {
	case len(candidates) == 0:
		return nil, nil
	case len(candidates) > l.lost[key]:
		ids := make([]string, len(candidates))
		for i, app := range candidates {
			ids[i] = app.ID
		}
		return nil, &LostCreateError{Name: req.Name, Cause: cause, Candidates: ids}
	}
	// Identical lost creates are interchangeable: take the oldest.
	l.owned[candidates[0].ID] = true
	return &candidates[0].App, nil
}

// timedApp is an app with its parsed createdAt.
type timedApp struct {
	App
	createdAt time.Time
}

// matchingApps returns the apps that match req exactly, were created between
// from and to (PipesHub's clock, bounds included) and are not in owned,
// oldest first. Creation times are compared and sorted as times, not as
// text: PipesHub writes three digits of milliseconds and Z today
// (internal/emulator/README.md §4), but RFC 3339 also allows other
// fractions and offsets, whose text order is not their time order. An app
// whose createdAt cannot be parsed cannot be placed in the window and is
// never taken.
func matchingApps(apps []App, req CreateAppRequest, from, to time.Time, owned map[string]bool) []timedApp {
	var out []timedApp
	for _, app := range apps {
		createdAt, err := time.Parse(time.RFC3339Nano, app.CreatedAt)
		if err == nil && !owned[app.ID] && !createdAt.Before(from) && !createdAt.After(to) && req.matches(&app) {
			out = append(out, timedApp{App: app, createdAt: createdAt})
		}
	}
	slices.SortStableFunc(out, func(a, b timedApp) int { return a.createdAt.Compare(b.createdAt) })
	return out
}

// UnsettledCreate is a create that may have been applied and whose outcome
// could not be looked up (LostCreateError.Unsettled): the request sent and
// when, so that a later run, with another Client, can settle it with
// FindUnsettledCreate. It holds no secret and marshals to JSON.
type UnsettledCreate struct {
	Request CreateAppRequest `json:"request"`
	// Sent and Failed are when the last create was sent and when it failed,
	// on the local clock.
	Sent   time.Time `json:"sent"`
	Failed time.Time `json:"failed"`
	// Answered: PipesHub answered that create (a 5xx), so it had finished
	// with it; otherwise (a lost answer, a timeout) it may apply it later.
	Answered bool `json:"answered"`
}

// lateCreateBound is how long after an unanswered create failed PipesHub is
// taken to be able to still apply it: a request it has received is handled
// within seconds, and an HTTP request older than this has long been given up
// by any proxy in front of it.
const lateCreateBound = time.Minute

// FindUnsettledCreate looks again, as CreateAppSafely's recovery does, for
// the app an unsettled create made: an app matching the request exactly,
// created (by PipesHub's clock, bounded by the Date headers of its answers)
// between the create's sending and its failure, or up to lateCreateBound
// after the failure when PipesHub never answered it, and not created or
// adopted by this client. It returns that app, which this client then
// counts as its own; nil when there is none and none can appear any more;
// or a *LostCreateError: LookupError when listing failed, Candidates when
// several apps match, RetryAfter when nothing was found but an unanswered
// create may still be applied.
func (c *Client) FindUnsettledCreate(ctx context.Context, u UnsettledCreate) (*App, error) {
	req := u.Request
	cause := fmt.Errorf("the create of OAuth app %q sent at %s may have been applied", req.Name, u.Sent.UTC().Format(time.RFC3339))
	l := c.creates
	select {
	case l.recovering <- struct{}{}:
		defer func() { <-l.recovering }()
	case <-ctx.Done():
		return nil, &LostCreateError{Name: req.Name, Cause: cause, LookupError: ctx.Err(), Unsettled: &u}
	}
	apps, err := c.ListAllApps(ctx, "", req.Name)
	if err != nil {
		return nil, &LostCreateError{Name: req.Name, Cause: cause, LookupError: err, Unsettled: &u}
	}
	now := time.Now()
	from, _, ok := c.clock.bounds(u.Sent)
	_, to, _ := c.clock.bounds(u.Failed)
	serverNow, _, _ := c.clock.bounds(now)
	if !ok {
		from, to, serverNow = u.Sent.Add(-unknownClockSkew), u.Failed.Add(unknownClockSkew), now.Add(-unknownClockSkew)
	}
	if !u.Answered {
		to = to.Add(lateCreateBound)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	candidates := matchingApps(apps, req, from, to, l.owned)
	switch {
	case len(candidates) > 1:
		ids := make([]string, len(candidates))
		for i, app := range candidates {
			ids[i] = app.ID
		}
		return nil, &LostCreateError{Name: req.Name, Cause: cause, Candidates: ids, Unsettled: &u}
	case len(candidates) == 1:
		l.owned[candidates[0].ID] = true
		return &candidates[0].App, nil
	case !u.Answered && serverNow.Before(to):
		return nil, &LostCreateError{Name: req.Name, Cause: cause, Unsettled: &u, RetryAfter: now.Add(to.Sub(serverNow))}
	}
	return nil, nil
}

// unknownClockSkew is the tolerance on creation times when PipesHub's
// answers carry no Date header to compare its clock with ours.
const unknownClockSkew = 5 * time.Second

// adopt regenerates the secret of a recovered app, whose first secret was
// lost with the create's answer.
func (c *Client) adopt(ctx context.Context, app *App, lostAnswer error) *CreatedApp {
	out := &CreatedApp{AppWithSecret: AppWithSecret{App: *app}, Recovered: true, LostAnswer: lostAnswer}
	ctx, cancel := followUpContext(ctx)
	defer cancel()
	secret, err := c.RegenerateSecret(ctx, app.ID)
	if err != nil {
		out.SecretError = err
		return out
	}
	out.ClientSecret = secret.ClientSecret
	return out
}

// matches reports whether app holds exactly what req asked for, with
// PipesHub's defaults for what req leaves out.
func (req *CreateAppRequest) matches(app *App) bool {
	grants := req.AllowedGrantTypes
	if grants == nil {
		grants = []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	return app.Name == req.Name &&
		optionalEqual(app.Description, req.Description) &&
		sameStrings(app.RedirectURIs, req.RedirectURIs) &&
		sameStrings(app.AllowedGrantTypes, grants) &&
		sameStrings(app.AllowedScopes, req.AllowedScopes) &&
		optionalEqual(app.HomepageURL, req.HomepageURL) &&
		optionalEqual(app.PrivacyPolicyURL, req.PrivacyPolicyURL) &&
		optionalEqual(app.TermsOfServiceURL, req.TermsOfServiceURL) &&
		(req.IsConfidential == nil || app.IsConfidential == *req.IsConfidential) &&
		(req.AccessTokenLifetime == nil || app.AccessTokenLifetime == *req.AccessTokenLifetime) &&
		(req.RefreshTokenLifetime == nil || app.RefreshTokenLifetime == *req.RefreshTokenLifetime)
}

// fingerprint identifies identical requests (lists compared as sets).
func (req CreateAppRequest) fingerprint() string {
	for _, list := range []*[]string{&req.RedirectURIs, &req.AllowedGrantTypes, &req.AllowedScopes} {
		*list = slices.Compact(slices.Sorted(slices.Values(*list)))
	}
	b, _ := json.Marshal(req) // cannot fail: strings, numbers and bools
	return string(b)
}

// optionalEqual treats absent and "" alike, as PipesHub does.
func optionalEqual(a, b *string) bool {
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return deref(a) == deref(b)
}

// sameStrings compares two lists as sets.
func sameStrings(a, b []string) bool {
	return slices.Equal(slices.Compact(slices.Sorted(slices.Values(a))), slices.Compact(slices.Sorted(slices.Values(b))))
}
