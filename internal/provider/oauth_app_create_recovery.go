package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// createClockSkew is how far PipesHub's clock may lag ours when recognising an
// app created by a request whose response was lost.
const createClockSkew = 5 * time.Second

// createApp POSTs the app. When the request may have been applied although no
// answer arrived (lost connection, timeout, 5xx), it looks for the app rather
// than leave an orphan that the next apply would duplicate.
func (r *oauthAppResource) createApp(ctx context.Context, body client.CreateAppRequest, diags *diag.Diagnostics) *client.AppWithSecret {
	started := time.Now()
	created, err := r.data.Client.CreateApp(ctx, body)
	if err == nil {
		return created
	}
	if !client.MayHaveApplied(err) {
		diags.AddError("Cannot create OAuth app", err.Error())
		return nil
	}
	return r.recoverLostCreate(ctx, body, started.Add(-createClockSkew), err, diags)
}

// recoverLostCreate adopts the one app that exactly matches the request and
// was created since notBefore. The secret of that create was lost with its
// response, so it regenerates one.
func (r *oauthAppResource) recoverLostCreate(ctx context.Context, body client.CreateAppRequest, notBefore time.Time, createErr error, diags *diag.Diagnostics) *client.AppWithSecret {
	apps, err := r.data.Client.ListAllApps(ctx, "", body.Name)
	if err != nil {
		diags.AddError("Cannot create OAuth app",
			fmt.Sprintf("%s\n\nPipesHub may have created the app anyway, and looking for it failed: %s\n"+
				"Check the apps named %q in PipesHub and import the right one.", createErr, err, body.Name))
		return nil
	}
	var matches []client.App
	for _, app := range apps {
		created, err := time.Parse(time.RFC3339Nano, app.CreatedAt)
		if err == nil && !created.Before(notBefore) && appMatchesCreateRequest(&app, &body) {
			matches = append(matches, app)
		}
	}
	switch len(matches) {
	case 0:
		diags.AddError("Cannot create OAuth app", createErr.Error())
		return nil
	case 1:
	default:
		ids := make([]string, len(matches))
		for i, app := range matches {
			ids[i] = app.ID
		}
		diags.AddError("Cannot create OAuth app",
			fmt.Sprintf("%s\n\nPipesHub may have applied the request: %d identical apps named %q were created just now "+
				"(ids %s), so Terraform cannot tell which is its own and adopts none. Delete the extra ones and import the other.",
				createErr, len(matches), body.Name, strings.Join(ids, ", ")))
		return nil
	}

	adopted := &client.AppWithSecret{App: matches[0]}
	secret, err := r.data.Client.RegenerateSecret(ctx, adopted.ID)
	if err != nil {
		diags.AddWarning("OAuth app recovered without a client secret",
			fmt.Sprintf("The response to creating OAuth app %s was lost (%s). Terraform found the app and adopted it, but "+
				"regenerating its secret failed: %s\nChange secret_rotation_triggers to get a secret.", adopted.ID, createErr, err))
		return adopted
	}
	adopted.ClientSecret = secret.ClientSecret
	diags.AddWarning("OAuth app recovered after a lost response",
		fmt.Sprintf("The response to creating OAuth app %s was lost (%s), so its first client secret never arrived. "+
			"Terraform found the app, adopted it and regenerated its secret; client_secret holds the new one.",
			adopted.ID, createErr))
	return adopted
}

// appMatchesCreateRequest reports whether app holds exactly what body asked for.
func appMatchesCreateRequest(app *client.App, body *client.CreateAppRequest) bool {
	return app.Name == body.Name &&
		optionalEqual(app.Description, body.Description) &&
		sameStrings(app.RedirectURIs, body.RedirectURIs) &&
		sameStrings(app.AllowedGrantTypes, body.AllowedGrantTypes) &&
		sameStrings(app.AllowedScopes, body.AllowedScopes) &&
		optionalEqual(app.HomepageURL, body.HomepageURL) &&
		optionalEqual(app.PrivacyPolicyURL, body.PrivacyPolicyURL) &&
		optionalEqual(app.TermsOfServiceURL, body.TermsOfServiceURL) &&
		(body.IsConfidential == nil || app.IsConfidential == *body.IsConfidential) &&
		(body.AccessTokenLifetime == nil || app.AccessTokenLifetime == *body.AccessTokenLifetime) &&
		(body.RefreshTokenLifetime == nil || app.RefreshTokenLifetime == *body.RefreshTokenLifetime)
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
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
