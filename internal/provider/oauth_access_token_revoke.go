package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// revocationKey is the private-data key under which Open leaves Close what
// it needs to revoke the token.
const revocationKey = "revocation"

// revocation is what Close needs to call /oauth2/revoke. It holds the client
// secret and the token, which is safe in an ephemeral resource's private
// data: the framework hands it to Terraform, which keeps it in memory for the
// Renew and Close calls of that one instance and writes it to neither plan
// nor state (framework docs, "Closing ephemeral resources"; terraform-plugin-
// framework v1.19.0 fwserver/server_openephemeralresource.go and
// server_closeephemeralresource.go; unlike a managed resource's private
// state, which is persisted). TestAccOAuthAccessToken_secretsStayOutOfLogs
// checks that neither value reaches the trace log on the way.
type revocation struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	AccessToken  string `json:"access_token"`
}

// rememberForRevocation leaves Close the credentials and the token.
func rememberForRevocation(ctx context.Context, resp *ephemeral.OpenResponse, rev revocation) {
	raw, err := json.Marshal(rev)
	if err != nil {
		resp.Diagnostics.AddError("Cannot keep the access token for revocation",
			"Encoding the private data failed. This is a bug in the provider; please report it.")
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, revocationKey, raw)...)
}

// Close revokes the token Open obtained, when revoke_on_close allowed it (Open
// then left the private data). A failure is only a warning: the token still
// expires at expires_at, and the run's work is done.
func (r *oauthAccessTokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, revocationKey)
	resp.Diagnostics.Append(diags...)
	if raw == nil || r.data == nil || resp.Diagnostics.HasError() {
		return
	}
	var rev revocation
	if err := json.Unmarshal(raw, &rev); err != nil {
		resp.Diagnostics.AddWarning("Access token not revoked",
			"The private data of the ephemeral resource could not be read, so the token stays valid until it expires. "+
				"This is a bug in the provider; please report it.")
		return
	}
	ctx = r.data.MaskSecrets(ctx, rev.ClientSecret, rev.AccessToken)
	tflog.Debug(ctx, "revoking the client_credentials access token", map[string]any{"client_id": rev.ClientID})
	if err := r.data.Client.RevokeToken(ctx, rev.ClientID, rev.ClientSecret, rev.AccessToken); err != nil {
		// The client's errors never hold the secret or the token.
		resp.Diagnostics.AddWarning("Access token not revoked",
			"PipesHub did not revoke the access token obtained for client_id "+rev.ClientID+
				"; it stays valid until it expires.\n\n"+err.Error())
		return
	}
	tflog.Debug(ctx, "client_credentials access token revoked", map[string]any{"client_id": rev.ClientID})
}
