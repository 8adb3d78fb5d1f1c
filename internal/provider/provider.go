// Package provider is the Terraform glue of the PipesHub provider: schemas,
// plan-time validation and the mapping between Terraform values and the
// typed API client. It reaches PipesHub only through internal/client; it
// never imports internal/emulator outside tests (depguard in .golangci.yml).
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// Environment variables that stand in for provider settings.
const (
	envServerURL            = "PIPESHUB_SERVER_URL"
	envBearerAuth           = "PIPESHUB_BEARER_AUTH"
	envMaxRetries           = "PIPESHUB_MAX_RETRIES"
	envMaxRequestsPerMinute = "PIPESHUB_MAX_REQUESTS_PER_MINUTE"
	envInsecureHTTP         = "PIPESHUB_INSECURE_HTTP"

	defaultMaxRetries = 5
)

var (
	_ provider.Provider                       = &pipeshubProvider{}
	_ provider.ProviderWithEphemeralResources = &pipeshubProvider{}
	_ provider.ProviderWithListResources      = &pipeshubProvider{}
	_ provider.ProviderWithActions            = &pipeshubProvider{}
)

type pipeshubProvider struct {
	version string
}

// New returns the provider factory for providerserver.Serve.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &pipeshubProvider{version: version} }
}

type pipeshubProviderModel struct {
	ServerURL            types.String `tfsdk:"server_url"`
	BearerAuth           types.String `tfsdk:"bearer_auth"`
	MaxRetries           types.Int64  `tfsdk:"max_retries"`
	MaxRequestsPerMinute types.Int64  `tfsdk:"max_requests_per_minute"`
	InsecureHTTP         types.Bool   `tfsdk:"insecure_http"`
}

func (p *pipeshubProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "pipeshub"
	resp.Version = p.version
}

func (p *pipeshubProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages [PipesHub](https://pipeshub.com) OAuth apps (the `/api/v1/oauth-clients` API). " +
			"Every setting can also come from an environment variable, so CI pipelines need no secrets in configuration.",
		Attributes: map[string]schema.Attribute{
			"server_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the PipesHub instance, `https://host` or `https://host/api/v1` " +
					"(`/api/v1` is added when missing). Plain `http://` is accepted only for `localhost`, `127.0.0.0/8` and `[::1]` " +
					"unless `insecure_http` is `true`. Can also be set with the `" + envServerURL + "` environment variable.",
				Optional: true,
			},
			"bearer_auth": schema.StringAttribute{
				MarkdownDescription: "Bearer token of the PipesHub user who owns the apps (a session JWT, an OAuth access " +
					"token or a personal access token). PipesHub shows an app only to the user who created it, so use the same " +
					"credential for every run. Can also be set with the `" + envBearerAuth + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times one request is retried after HTTP 5xx, a lost or "+
					"broken answer or a connection error, with exponential backoff that honours `Retry-After`; a refused "+
					"connection is retried at most twice, and a server that accepts the connection and sends no answer "+
					"within 15 seconds once. HTTP 429s do not count: they are waited out as PipesHub asks, within the "+
					"operation's timeouts. `0` disables every retry, 429s included. Defaults to `%d`. Can also be set with "+
					"the `%s` environment variable.", defaultMaxRetries, envMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"max_requests_per_minute": schema.Int64Attribute{
				MarkdownDescription: "Client-side ceiling on requests per minute, for sharing PipesHub's per-user limit " +
					"(1000 per minute by default) with other tools. At least `1`; unset means no ceiling. Can also be set " +
					"with the `" + envMaxRequestsPerMinute + "` environment variable.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"insecure_http": schema.BoolAttribute{
				MarkdownDescription: "Allow `server_url` to use plain `http://` for a host other than this machine. Every " +
					"request carries the bearer token, which over plain http anyone on the network path can read and reuse, " +
					"so by default `http://` is accepted only for `localhost`, `127.0.0.0/8` and `[::1]` (a PipesHub or " +
					"emulator on the same machine) and any other host must use `https://`; this keeps a typo from sending the " +
					"token in clear text. Set it to `true` only for a network you trust, such as a test instance reached " +
					"through a private cluster network. Defaults to `false`. Can also be set with the `" + envInsecureHTTP +
					"` environment variable (`true` or `false`).",
				Optional: true,
			},
		},
	}
}

func (p *pipeshubProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg pipeshubProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A value from another resource is unknown until apply: leave the
	// provider unconfigured for now; resources skip their API checks.
	if cfg.ServerURL.IsUnknown() || cfg.BearerAuth.IsUnknown() || cfg.MaxRetries.IsUnknown() || cfg.MaxRequestsPerMinute.IsUnknown() ||
		cfg.InsecureHTTP.IsUnknown() {
		tflog.Debug(ctx, "provider configuration has unknown values; deferring client setup to apply")
		return
	}

	serverURL := stringSetting(cfg.ServerURL, envServerURL)
	bearer := stringSetting(cfg.BearerAuth, envBearerAuth)
	ctx = maskSecrets(ctx, bearer)
	maxRetries := int64Setting(ctx, cfg.MaxRetries, envMaxRetries, "max_retries", defaultMaxRetries, 0, &resp.Diagnostics)
	rpm := int64Setting(ctx, cfg.MaxRequestsPerMinute, envMaxRequestsPerMinute, "max_requests_per_minute", 0, 1, &resp.Diagnostics)
	insecureHTTP, insecureHTTPValid := boolSetting(ctx, cfg.InsecureHTTP, envInsecureHTTP, "insecure_http", &resp.Diagnostics)

	var insecure *client.InsecureHTTPError
	if serverURL == "" {
		resp.Diagnostics.AddAttributeError(path.Root("server_url"), "Missing PipesHub server URL",
			"Set server_url in the provider block or the "+envServerURL+" environment variable, "+
				"for example https://pipeshub.example.com.")
	} else if _, err := client.NormalizeServerURL(serverURL, insecureHTTP); errors.As(err, &insecure) {
		// When insecure_http could not be read, its own error says what to fix.
		if insecureHTTPValid {
			addInsecureHTTPError(&resp.Diagnostics, insecure, cfg.ServerURL.IsNull())
		}
	} else if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("server_url"), "Invalid PipesHub server URL",
			fmt.Sprintf("server_url (or %s) must look like https://host or https://host/api/v1: %s", envServerURL, err))
	}
	if bearer == "" {
		resp.Diagnostics.AddAttributeError(path.Root("bearer_auth"), "Missing PipesHub bearer token",
			"Set bearer_auth in the provider block or the "+envBearerAuth+" environment variable.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	c, err := client.New(client.Config{
		ServerURL:         serverURL,
		AllowInsecureHTTP: insecureHTTP,
		BearerToken:       bearer,
		UserAgent:         fmt.Sprintf("terraform-provider-pipeshub/%s (+https://www.terraform.io) Terraform/%s", p.version, req.TerraformVersion),
		MaxRetries:        int(maxRetries),
		RequestsPerMinute: int(rpm),
		Logger:            tflogLogger{bearerToken: bearer},
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the PipesHub client", err.Error())
		return
	}
	tflog.Debug(ctx, "PipesHub client configured", map[string]any{"server_url": c.BaseURL(), "max_retries": maxRetries})
	if insecureHTTP {
		if _, err := client.NormalizeServerURL(serverURL, false); errors.As(err, &insecure) {
			tflog.Warn(ctx, "insecure_http is set: the bearer token is sent unencrypted to a host that is not this machine",
				map[string]any{"host": insecure.Host})
		}
	}

	data := &providerData{Client: c, appReads: client.NewPagedReads(c), bearerToken: bearer, caller: client.CallerOf(bearer),
		version: p.version}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

// stringSetting returns the configured value, else the environment variable.
func stringSetting(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

// addInsecureHTTPError reports a plain-http server URL to a host that is not
// this machine, on server_url (naming the environment variable when the URL
// came from there, as the other settings do). The URL is shown as the client
// scrubbed it: no userinfo, query or fragment.
func addInsecureHTTPError(diags *diag.Diagnostics, err *client.InsecureHTTPError, fromEnv bool) {
	source := "server_url"
	if fromEnv {
		source = envServerURL + " (used because server_url is not set)"
	}
	diags.AddAttributeError(path.Root("server_url"), "Plain http to a remote PipesHub server",
		fmt.Sprintf("%s is %q: plain http to %s, which is not a loopback host (without insecure_http, http:// is accepted "+
			"only for localhost, 127.0.0.0/8 and [::1]). The bearer token would travel unencrypted: anyone on the network path "+
			"could read it and act as its user. Use an https:// URL, or set insecure_http = true in the provider block "+
			"(or %s=true) to allow plain http deliberately.", source, err.URL, err.Host, envInsecureHTTP))
}

// boolSetting returns the configured value, else the environment variable
// (which must parse as a boolean), else false. valid is false when the
// environment variable did not parse; the error is then in diags.
func boolSetting(ctx context.Context, v types.Bool, env, attr string, diags *diag.Diagnostics) (value, valid bool) {
	if !v.IsNull() {
		return v.ValueBool(), true
	}
	raw := os.Getenv(env)
	if raw == "" {
		return false, true
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		diags.AddAttributeError(path.Root(attr), "Invalid "+env+" environment variable",
			fmt.Sprintf("%s (used because %s is not set) must be true or false, got %q.", env, attr, raw))
		return false, false
	}
	tflog.Debug(ctx, "provider setting taken from the environment", map[string]any{"attribute": attr, "env": env})
	return b, true
}

// int64Setting returns the configured value, else the environment variable
// (which must parse and be >= minimum), else def.
func int64Setting(ctx context.Context, v types.Int64, env, attr string, def, minimum int64, diags *diag.Diagnostics) int64 {
	if !v.IsNull() {
		return v.ValueInt64()
	}
	raw := os.Getenv(env)
	if raw == "" {
		return def
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < minimum {
		diags.AddAttributeError(path.Root(attr), "Invalid "+env+" environment variable",
			fmt.Sprintf("%s (used because %s is not set) must be a whole number of at least %d, got %q.", env, attr, minimum, raw))
		return def
	}
	tflog.Debug(ctx, "provider setting taken from the environment", map[string]any{"attribute": attr, "env": env})
	return n
}

func (p *pipeshubProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newOAuthAppResource,
	}
}

func (p *pipeshubProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newOAuthScopesDataSource,
		newOAuthAppDataSource,
		newOAuthAppsDataSource,
		newOAuthAppTokensDataSource,
	}
}

// ListResources serves terraform query (Terraform 1.14 and later).
func (p *pipeshubProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		newOAuthAppListResource,
	}
}

// Actions are invoked from a plan (Terraform 1.14 and later).
func (p *pipeshubProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		newOAuthAppRevokeTokensAction,
	}
}

func (p *pipeshubProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		newOAuthAccessTokenEphemeralResource,
	}
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	Client *client.Client
	// appReads serves the refresh of pipeshub_oauth_app: GETs for the first
	// few apps, then pages of the caller's apps when many are read
	// (client.PagedReads has the rule and its numbers). It lives as long as
	// this provider process, one Terraform command, never longer; writing
	// stops it (see beforeWrite).
	appReads    *client.PagedReads
	bearerToken string
	// caller is who bearerToken acts as: the owner recorded for each app
	// this provider creates or reads (oauth_app_private_state.go).
	caller client.Caller
	// version is the provider's: fingerprints of the app objects state
	// holds include it (appFingerprint).
	version string

	// scopes or scopesErr is the outcome of the one catalogue fetch.
	scopesMu  sync.Mutex
	scopes    *client.ScopeCatalogue
	scopesErr error

	problems runProblems // failures explained once per run (api_errors.go)
}

// ScopeCatalogue returns the scopes the caller may register and their
// categories, fetched from PipesHub at most once per provider process;
// callers that ask meanwhile wait for that fetch. A failure is kept too: it
// is reported as an error, which fails the Terraform command, so fetching
// again (retries included, against a server that did not answer) could
// change nothing.
func (d *providerData) ScopeCatalogue(ctx context.Context) (*client.ScopeCatalogue, error) {
	d.scopesMu.Lock()
	defer d.scopesMu.Unlock()
	if d.scopes == nil && d.scopesErr == nil {
		d.scopes, d.scopesErr = d.Client.ListScopes(d.MaskSecrets(ctx))
	}
	return d.scopes, d.scopesErr
}

// beforeWrite is called before any call that changes an app: from then on
// every read of this process goes by GET, so that nothing this process
// writes is read back from a page listed before the write. (Terraform
// refreshes before it applies, so a write ends the refresh's listing only
// when it has done its work.)
func (d *providerData) beforeWrite() {
	if d.appReads != nil {
		d.appReads.Stop()
	}
}

// readApp reads an app as GET /oauth-clients/{id} answers, through appReads;
// createdAt (the app's created_at in state, "" when unknown) and place (its
// place in the listing as the last refresh learned it) tell appReads where
// the app sits in the listing. It returns the place as this read knows it.
func (d *providerData) readApp(ctx context.Context, appID, createdAt string, place client.ListingPlace) (*client.App, client.ListingPlace, error) {
	created, _ := time.Parse(time.RFC3339Nano, createdAt) // zero when unknown
	return d.appReads.GetApp(ctx, client.AppRead{ID: appID, CreatedAt: created, Place: place})
}

// MaskSecrets returns ctx with the bearer token and the given client secrets
// masked in every provider log line written with it.
func (d *providerData) MaskSecrets(ctx context.Context, clientSecrets ...string) context.Context {
	return maskSecrets(ctx, append([]string{d.bearerToken}, clientSecrets...)...)
}

// providerDataFrom converts the ProviderData of a Configure request. It
// returns nil when the provider is not configured yet (or its settings are
// unknown until apply).
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd
}

// addNotConfiguredError reports for an operation that needs the API while
// the provider settings are still unknown.
func addNotConfiguredError(diags *diag.Diagnostics) {
	diags.AddError("PipesHub provider not configured",
		"The provider's server_url or bearer_auth is not known yet (it depends on a value computed during apply), "+
			"so PipesHub cannot be called. Apply the resources it depends on first (for example with -target).")
}
