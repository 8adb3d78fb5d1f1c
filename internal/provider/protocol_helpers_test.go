package provider

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Protocol-level tests drive the provider server through the tfprotov6 RPCs
// that Terraform 1.12 (resource identity) and 1.14 (list resources, actions)
// send, so that these features are tested where only an older terraform
// runs. protoProvider is a configured provider server and its schemas.
type protoProvider struct {
	t       *testing.T
	srv     protoServer
	schemas *tfprotov6.GetProviderSchemaResponse
	ids     *tfprotov6.GetResourceIdentitySchemasResponse
}

// protoServer is the framework's server with the RPCs of Terraform 1.14
// (terraform-plugin-go still lists them in interfaces of their own).
type protoServer interface {
	tfprotov6.ProviderServerWithListResource //nolint:staticcheck // the only way to reach ListResource in plugin-go v0.31
	tfprotov6.ProviderServerWithActions      //nolint:staticcheck // the only way to reach the action RPCs in plugin-go v0.31
}

// newProtoProvider serves the provider in-process and configures it for the
// emulator at serverURL with token, as terraform would.
func newProtoProvider(t *testing.T, serverURL, token string) *protoProvider {
	t.Helper()
	return newProtoProviderVersion(t, serverURL, token, "test")
}

// newProtoProviderVersion is newProtoProvider of the given provider version.
func newProtoProviderVersion(t *testing.T, serverURL, token, version string) *protoProvider {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(New(version)())()
	if err != nil {
		t.Fatalf("provider server: %v", err)
	}
	srv, ok := server.(protoServer)
	if !ok {
		t.Fatalf("the provider server %T does not serve list resources and actions", server)
	}
	p := &protoProvider{t: t, srv: srv}
	p.schemas, err = srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatalf("GetProviderSchema: %v", err)
	}
	requireNoDiags(t, "GetProviderSchema", p.schemas.Diagnostics)
	p.ids, err = srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatalf("GetResourceIdentitySchemas: %v", err)
	}
	requireNoDiags(t, "GetResourceIdentitySchemas", p.ids.Diagnostics)

	cfg := p.dynamic(p.schemas.Provider.ValueType(), map[string]tftypes.Value{
		"server_url":  tftypes.NewValue(tftypes.String, serverURL),
		"bearer_auth": tftypes.NewValue(tftypes.String, token),
		"max_retries": tftypes.NewValue(tftypes.Number, 0),
	})
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: cfg})
	if err != nil {
		t.Fatalf("ConfigureProvider: %v", err)
	}
	requireNoDiags(t, "ConfigureProvider", resp.Diagnostics)
	return p
}

// object builds a value of the object type typ: attrs, and null for every
// other attribute (so that a test names only what it cares about).
func object(t *testing.T, typ tftypes.Type, attrs map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%s is not an object type", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	for name := range attrs {
		if _, ok := obj.AttributeTypes[name]; !ok {
			t.Fatalf("no attribute %q in %s", name, typ)
		}
	}
	return tftypes.NewValue(typ, vals)
}

func (p *protoProvider) dynamic(typ tftypes.Type, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, object(p.t, typ, attrs))
	if err != nil {
		p.t.Fatalf("NewDynamicValue: %v", err)
	}
	return &dv
}

func (p *protoProvider) resourceType() tftypes.Type {
	return p.schemas.ResourceSchemas["pipeshub_oauth_app"].ValueType()
}

func (p *protoProvider) identityType() tftypes.Type {
	return p.ids.IdentitySchemas["pipeshub_oauth_app"].ValueType()
}

// identity is the identity data { id = id } of pipeshub_oauth_app.
func (p *protoProvider) identity(id string) *tfprotov6.ResourceIdentityData {
	return &tfprotov6.ResourceIdentityData{IdentityData: p.dynamic(p.identityType(), map[string]tftypes.Value{
		"id": tftypes.NewValue(tftypes.String, id),
	})}
}

// decode returns the attributes of an object in dv (nil for a null object).
func (p *protoProvider) decode(typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]tftypes.Value {
	p.t.Helper()
	if dv == nil {
		p.t.Fatalf("no value")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatalf("Unmarshal: %v", err)
	}
	if v.IsNull() {
		return nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		p.t.Fatalf("As: %v", err)
	}
	return attrs
}

// identityID returns the id in identity data.
func (p *protoProvider) identityID(data *tfprotov6.ResourceIdentityData) string {
	p.t.Helper()
	if data == nil {
		p.t.Fatalf("no identity")
	}
	return str(p.t, p.decode(p.identityType(), data.IdentityData)["id"])
}

// str is a known string value ("" for null).
func str(t *testing.T, v tftypes.Value) string {
	t.Helper()
	if v.IsNull() {
		return ""
	}
	var s string
	if err := v.As(&s); err != nil {
		t.Fatalf("As string: %v", err)
	}
	return s
}

func requireNoDiags(t *testing.T, rpc string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: error %q: %s", rpc, d.Summary, d.Detail)
		}
	}
}

// requireError returns the only error diagnostic, which must contain every
// one of want in its summary or detail.
func requireError(t *testing.T, rpc string, diags []*tfprotov6.Diagnostic, want ...string) *tfprotov6.Diagnostic {
	t.Helper()
	var errs []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("%s: %d error diagnostics, want 1: %v", rpc, len(errs), diags)
	}
	text := errs[0].Summary + "\n" + errs[0].Detail
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: error does not contain %q:\n%s", rpc, w, text)
		}
	}
	return errs[0]
}

// expectCalls checks that, since the last ResetCalls, PipesHub received
// exactly the calls in want (nil: none) while the provider served what.
func expectCalls(t *testing.T, what string, emu *emulator.Emulator, want map[string]int) {
	t.Helper()
	if got := emu.CallCounts(); !maps.Equal(got, want) {
		t.Errorf("%s: PipesHub received %v, want %v", what, got, want)
	}
}

// skipFor wraps a tfversion check (such as tfversion.SkipBelow) so that the
// skip message says which feature needs the newer Terraform and where it is
// tested meanwhile: go test -v, and CI's list of skipped tests, show why.
func skipFor(check tfversion.TerraformVersionCheck, why string) tfversion.TerraformVersionCheck {
	return skipForCheck{check: check, why: why}
}

type skipForCheck struct {
	check tfversion.TerraformVersionCheck
	why   string
}

func (c skipForCheck) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	c.check.CheckTerraformVersion(ctx, req, resp)
	if resp.Skip != "" {
		resp.Skip = c.why + " (OpenTofu reports its own, lower version and skips too); the TestProtocol_ tests cover the " +
			"feature through the provider's RPCs meanwhile. " + resp.Skip
	}
}

// Skips of the tests that need Terraform's newer features.
var (
	skipBelowIdentity = skipFor(tfversion.SkipBelow(tfversion.Version1_12_0),
		"resource identity (import blocks with identity) needs Terraform 1.12 or later")
	skipBelowQuery = skipFor(tfversion.SkipBelow(tfversion.Version1_14_0),
		"list resources (terraform query) need Terraform 1.14 or later")
	skipBelowActions = skipFor(tfversion.SkipBelow(tfversion.Version1_14_0),
		"actions need Terraform 1.14 or later")
)
