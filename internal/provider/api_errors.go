package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// apiErrorDetail is the detail of a diagnostic about a failed API call: the
// client's error (status, PipesHub's code and message), then what to change
// when the cause is one the user can fix.
func (d *providerData) apiErrorDetail(err error) string {
	msg := err.Error()
	var (
		apiErr *client.APIError
		reqErr *client.RequestError
	)
	switch {
	case errors.As(err, &reqErr) && !reqErr.Sent && errors.Is(err, context.Canceled):
		msg += "\n\nTerraform was interrupted before the request was sent, so PipesHub did not act on it. " +
			"Run terraform apply again to finish."
	case client.IsUnreachable(err):
		msg += fmt.Sprintf("\n\nNo PipesHub server answered at %s. Check that it is running and reachable from here, "+
			"and that the provider's server_url (or PIPESHUB_SERVER_URL) is right.", d.Client.BaseURL())
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized:
		msg += "\n\nPipesHub refused the provider's credential. Check bearer_auth (or PIPESHUB_BEARER_AUTH): it must be " +
			"a valid personal access token (phpat_...), OAuth access token or session JWT of the user who owns the apps."
	}
	return msg
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
	case lost.LookupError != nil:
		fmt.Fprintf(&b, "\n\nList the apps named %q (the pipeshub_oauth_apps data source with search = %q, or PipesHub's "+
			"console); if one was created just now, import it with: terraform import ADDRESS <id> (ADDRESS is this "+
			"resource's address). Otherwise run terraform apply again.", lost.Name, lost.Name)
	default:
		fmt.Fprintf(&b, "\n\nNo app was adopted and the create was not repeated, since PipesHub may still be working on "+
			"it. Run terraform apply again; if an app named %q appears in PipesHub meanwhile, import it first with: "+
			"terraform import ADDRESS <id> (ADDRESS is this resource's address).", lost.Name)
	}
	return b.String()
}
