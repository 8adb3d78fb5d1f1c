package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// Causes that lie in the provider's settings rather than in one resource: every
// call of the run fails the same way, so they are explained once per run.
const (
	causeCredential  = "credential"  // HTTP 401: bearer_auth
	causeUnreachable = "unreachable" // no server answered: server_url
	// causeCatalogue: the scope catalogue, which every new scope's plan-time
	// check needs, could not be fetched (ScopeCatalogue keeps the failure).
	causeCatalogue = "scope catalogue"
	// causeInvisibleApps: an app in state answered 404 to a credential that
	// is not (or may not be) its owner's; every such app has the same cause.
	causeInvisibleApps = "apps invisible to the credential"
)

// runProblems is what one provider process (one Terraform command) remembers
// about failures that every resource would hit, so that a wrong bearer_auth or
// server_url is explained once rather than once per resource. The zero value
// is ready to use.
type runProblems struct {
	mu sync.Mutex
	// explainedCauses holds the causes already explained in full in a diagnostic.
	explainedCauses map[string]bool
}

// firstTime reports whether cause is being explained for the first time in
// this run, and records that it now is.
func (p *runProblems) firstTime(cause string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.explainedCauses[cause] {
		return false
	}
	if p.explainedCauses == nil {
		p.explainedCauses = map[string]bool{}
	}
	p.explainedCauses[cause] = true
	return true
}

// explained reports whether cause was already explained in this run.
func (p *runProblems) explained(cause string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.explainedCauses[cause]
}

// settingsCause names the provider-wide cause of err ("" when err is not one).
func settingsCause(err error) string {
	var apiErr *client.APIError
	switch {
	case client.IsUnreachable(err):
		return causeUnreachable
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized:
		return causeCredential
	}
	return ""
}

// apiErrorSummary is the summary of a diagnostic about a failed API call:
// what the user must fix when it is a provider setting, else fallback.
func apiErrorSummary(err error, fallback string) string {
	switch settingsCause(err) {
	case causeCredential:
		return "PipesHub refused the provider's bearer_auth"
	case causeUnreachable:
		return "No PipesHub server answered at server_url"
	}
	return fallback
}

// apiErrorDetail is the detail of a diagnostic about a failed API call: the
// client's error (status, PipesHub's code and message), then what to change
// when the cause is one the user can fix. A wrong bearer_auth or an
// unreachable server_url is explained in full in the first diagnostic of the
// run; later ones name the setting in a line.
func (d *providerData) apiErrorDetail(err error) string {
	msg := err.Error()
	var reqErr *client.RequestError
	if errors.As(err, &reqErr) && !reqErr.Sent && errors.Is(err, context.Canceled) {
		return msg + "\n\nTerraform was interrupted before the request was sent, so PipesHub did not act on it. " +
			"Run terraform apply again to finish."
	}
	cause := settingsCause(err)
	if cause == "" {
		return msg
	}
	first := d.problems.firstTime(cause)
	switch {
	case cause == causeUnreachable && first:
		msg += fmt.Sprintf("\n\nNo PipesHub server answered at %s. Check that it is running and reachable from here, "+
			"and that the provider's server_url (or PIPESHUB_SERVER_URL) is right.", d.Client.BaseURL())
	case cause == causeUnreachable:
		msg += fmt.Sprintf("\n\nSame cause as the first error of this run: no PipesHub server answered at %s; "+
			"check server_url (or PIPESHUB_SERVER_URL).", d.Client.BaseURL())
	case first:
		msg += "\n\nPipesHub did not accept the provider's credential. Check bearer_auth (or PIPESHUB_BEARER_AUTH): " +
			"it must be a token that PipesHub at " + d.Client.BaseURL() + " accepts now, that is not expired, revoked " +
			"or from another PipesHub instance: a personal access token (phpat_...), an OAuth access token or a " +
			"session JWT, of the user who owns the apps, given without the \"Bearer \" prefix."
	default:
		msg += "\n\nSame cause as the first error of this run: PipesHub did not accept bearer_auth " +
			"(or PIPESHUB_BEARER_AUTH)."
	}
	return msg
}

// updateErrorSummary is the summary of a failed write to an existing app:
// on a 404, that the app is gone; else as apiErrorSummary.
func updateErrorSummary(err error, fallback string) string {
	if client.IsNotFound(err) {
		return "OAuth app no longer exists in PipesHub"
	}
	return apiErrorSummary(err, fallback)
}

// updateErrorDetail explains a failed write to the existing app id: on a
// 404, that the app is gone (or hidden from this credential) although the
// state still holds it, which a refresh would have found.
func (d *providerData) updateErrorDetail(id string, err error) string {
	if !client.IsNotFound(err) {
		return d.apiErrorDetail(err)
	}
	return err.Error() + fmt.Sprintf("\n\nOAuth app %s is in Terraform's state, but PipesHub has no such app visible to "+
		"this credential: it was deleted outside Terraform since the last refresh (as with terraform apply "+
		"-refresh=false), or bearer_auth now belongs to another user (PipesHub shows an app only to the user who "+
		"created it). Run terraform plan or apply without -refresh=false: the refresh removes the app from state, "+
		"and Terraform plans to create it again. If bearer_auth changed, use the creator's token instead.", id)
}

// createErrorDetail explains a failed create; when PipesHub may have created
// the app, it says how to find it and take it over.
func (d *providerData) createErrorDetail(err error) string {
	var lost *client.LostCreateError
	if !errors.As(err, &lost) {
		return d.apiErrorDetail(err)
	}
	var b strings.Builder
	b.WriteString(d.apiErrorDetail(err))
	switch {
	case len(lost.Candidates) > 0:
		b.WriteString("\n\nTerraform adopted none of them, so that it never takes an app that another configuration or " +
			"person owns. If one is this resource's, import it (ADDRESS is this resource's address, such as " +
			"pipeshub_oauth_app.example) and delete the others that nobody uses:\n")
		for _, id := range lost.Candidates {
			fmt.Fprintf(&b, "  terraform import ADDRESS %s\n", id)
		}
	case lost.Unsettled != nil:
		fmt.Fprintf(&b, "\n\nTerraform keeps a placeholder for the app in state (id %q), marked tainted, with what the create "+
			"sent and when. The next terraform apply settles it before anything else: it looks again for the app this "+
			"create may have made and, if PipesHub made it, deletes it (its first client secret was lost with the answer), "+
			"then creates the app. Run terraform apply again once PipesHub answers normally; do not import or create "+
			"the app by hand meanwhile.", unsettledCreateID)
	case lost.LookupError != nil:
		fmt.Fprintf(&b, "\n\nList the apps named %q (the pipeshub_oauth_apps data source with search = %q, or PipesHub's "+
			"console); if one was created just now, import it with: terraform import ADDRESS <id> (ADDRESS is this "+
			"resource's address). Otherwise run terraform apply again.", lost.Name, lost.Name)
	case lost.Answered:
		b.WriteString("\n\nNothing was left behind in PipesHub. Run terraform apply again once PipesHub answers normally.")
	default:
		fmt.Fprintf(&b, "\n\nNo app was adopted and the create was not repeated, since PipesHub may still be working on "+
			"it. Run terraform apply again; if an app named %q appears in PipesHub meanwhile, import it first with: "+
			"terraform import ADDRESS <id> (ADDRESS is this resource's address).", lost.Name)
	}
	return b.String()
}
