package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Terraform 1.10+ never opens an ephemeral resource whose configuration is
// not wholly known, so no terraform run reaches this path; other clients may.
// Open must then neither call PipesHub nor fail: it defers when the client
// allows it, and otherwise answers unknown values.
func TestOAuthAccessTokenEphemeralResource_openBeforeValuesAreKnown(t *testing.T) {
	ctx := context.Background()
	unknownString := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	knownString := tftypes.NewValue(tftypes.String, "a-client-id")

	cases := map[string]struct {
		data            *providerData
		clientSecret    tftypes.Value
		deferralAllowed bool
		wantDeferred    ephemeral.DeferredReason // 0: no deferral, unknown result
	}{
		"secret unknown, deferral allowed": {
			data: &providerData{}, clientSecret: unknownString, deferralAllowed: true,
			wantDeferred: ephemeral.DeferredReasonEphemeralResourceConfigUnknown,
		},
		"provider not configured, deferral allowed": {
			data: nil, clientSecret: knownString, deferralAllowed: true,
			wantDeferred: ephemeral.DeferredReasonProviderConfigUnknown,
		},
		"secret unknown, no deferral": {data: &providerData{}, clientSecret: unknownString},
		"provider not configured, no deferral": {data: nil, clientSecret: knownString},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := &oauthAccessTokenEphemeralResource{data: tc.data}
			var schemaResp ephemeral.SchemaResponse
			r.Schema(ctx, ephemeral.SchemaRequest{}, &schemaResp)
			objectType := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)

			values := map[string]tftypes.Value{}
			for attr, typ := range objectType.AttributeTypes {
				values[attr] = tftypes.NewValue(typ, nil)
			}
			values["client_id"] = knownString
			values["client_secret"] = tc.clientSecret
			config := tftypes.NewValue(objectType, values)

			req := ephemeral.OpenRequest{
				Config:             tfsdk.Config{Raw: config, Schema: schemaResp.Schema},
				ClientCapabilities: ephemeral.OpenClientCapabilities{DeferralAllowed: tc.deferralAllowed},
			}
			resp := ephemeral.OpenResponse{Result: tfsdk.EphemeralResultData{Raw: config.Copy(), Schema: schemaResp.Schema}}
			r.Open(ctx, req, &resp) // a nil client would panic if Open tried to call PipesHub

			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
			}
			if tc.wantDeferred != 0 {
				if resp.Deferred == nil || resp.Deferred.Reason != tc.wantDeferred {
					t.Fatalf("deferred = %v, want reason %s", resp.Deferred, tc.wantDeferred)
				}
				return
			}
			if resp.Deferred != nil {
				t.Fatalf("deferred although the client does not allow it: %v", resp.Deferred)
			}
			var result oauthAccessTokenModel
			if d := resp.Result.Get(ctx, &result); d.HasError() {
				t.Fatalf("reading the result: %v", d)
			}
			if !result.AccessToken.IsUnknown() || !result.ExpiresAt.IsUnknown() || !result.GrantedScopes.IsUnknown() {
				t.Errorf("computed attributes should be unknown, got %+v", result)
			}
			if result.ClientID.ValueString() != "a-client-id" {
				t.Errorf("client_id = %s, want the configured value", result.ClientID)
			}
		})
	}
}
