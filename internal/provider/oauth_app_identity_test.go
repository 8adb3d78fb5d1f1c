package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// The identity schema Terraform 1.12+ reads: { id }, required for import.
func TestProtocol_identitySchema(t *testing.T) {
	_, url := newTestEmulator(t)
	p := newProtoProvider(t, url, testAccAdminToken)

	ids := p.ids.IdentitySchemas["pipeshub_oauth_app"]
	if ids == nil || len(ids.IdentityAttributes) != 1 {
		t.Fatalf("identity schema = %+v, want one attribute", ids)
	}
	if a := ids.IdentityAttributes[0]; a.Name != "id" || !a.Type.Is(tftypes.String) || !a.RequiredForImport || a.OptionalForImport {
		t.Errorf("identity attribute = %+v, want id, string, required for import", a)
	}
}

// importApp sends ImportResourceState (by id when id is set, else by
// identity) and returns the one imported resource.
func (p *protoProvider) importApp(id string, identity *tfprotov6.ResourceIdentityData) (*tfprotov6.ImportResourceStateResponse, *tfprotov6.ImportedResource) {
	p.t.Helper()
	resp, err := p.srv.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName: "pipeshub_oauth_app", ID: id, Identity: identity,
	})
	if err != nil {
		p.t.Fatalf("ImportResourceState: %v", err)
	}
	if len(resp.ImportedResources) != 1 {
		return resp, nil
	}
	return resp, resp.ImportedResources[0]
}

// read sends ReadResource as terraform does after an import or at refresh.
func (p *protoProvider) read(state *tfprotov6.DynamicValue, private []byte, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceResponse {
	p.t.Helper()
	resp, err := p.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName: "pipeshub_oauth_app", CurrentState: state, Private: private, CurrentIdentity: identity,
	})
	if err != nil {
		p.t.Fatalf("ReadResource: %v", err)
	}
	return resp
}

// Import by identity (what an import block with identity, and terraform
// query's generated import blocks, send), then the read that follows: one GET,
// no write, the state of the app with a null secret, and its identity.
func TestProtocol_importByIdentity(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	app := testAccCreateApp(t, api, clientCredentialsApp("proto import"))
	p := newProtoProvider(t, url, testAccAdminToken)
	emu.ResetCalls()

	resp, imported := p.importApp("", p.identity(app.ID))
	requireNoDiags(t, "ImportResourceState", resp.Diagnostics)
	if imported == nil {
		t.Fatalf("imported %d resources", len(resp.ImportedResources))
	}
	if got := str(t, p.decode(p.resourceType(), imported.State)["id"]); got != app.ID {
		t.Errorf("imported id = %q, want %q", got, app.ID)
	}
	if got := p.identityID(imported.Identity); got != app.ID {
		t.Errorf("imported identity = %q, want %q", got, app.ID)
	}
	expectCalls(t, "ImportResourceState", emu, nil)

	read := p.read(imported.State, imported.Private, imported.Identity)
	requireNoDiags(t, "ReadResource", read.Diagnostics)
	state := p.decode(p.resourceType(), read.NewState)
	if str(t, state["name"]) != "proto import" || str(t, state["client_id"]) != app.ClientID {
		t.Errorf("read state name %v client_id %v", state["name"], state["client_id"])
	}
	if !state["client_secret"].IsNull() {
		t.Errorf("client_secret after import = %v, want null", state["client_secret"])
	}
	if got := p.identityID(read.NewIdentity); got != app.ID {
		t.Errorf("identity after read = %q, want %q", got, app.ID)
	}
	expectCalls(t, "ReadResource", emu, map[string]int{emulator.RouteGetApp: 1})
}

// Import by string id sets the identity too; a string that is neither an id
// nor a client id, and an identity holding a client id (the identity is the
// id alone), are refused before any API call.
func TestProtocol_importByIDAndMalformed(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	app := testAccCreateApp(t, api, clientCredentialsApp("proto import id"))
	p := newProtoProvider(t, url, testAccAdminToken)
	emu.ResetCalls()

	resp, imported := p.importApp(app.ID, nil)
	requireNoDiags(t, "ImportResourceState", resp.Diagnostics)
	if got := p.identityID(imported.Identity); got != app.ID {
		t.Errorf("identity after import by id = %q, want %q", got, app.ID)
	}

	for _, bad := range []string{
		"oauthapp-1",                        // the slug
		strings.ToUpper(app.ClientID),       // PipesHub writes client ids in lower case and matches them exactly
		app.ClientID + " ",                  // a stray space
		"pipeshub_oauth_app.test " + app.ID, // a pasted command line
	} {
		resp, _ = p.importApp(bad, nil)
		requireError(t, "ImportResourceState of "+bad, resp.Diagnostics, "Invalid import ID", fmt.Sprintf("%q", bad),
			"neither a PipesHub OAuth app id", "nor an OAuth client id", "the client_id attribute")
	}
	resp, _ = p.importApp("", p.identity(app.ClientID))
	requireError(t, "ImportResourceState by identity", resp.Diagnostics, "Invalid import identity", app.ClientID,
		"not its client_id", "give it as the import ID instead")
	expectCalls(t, "ImportResourceState", emu, nil)
}

// Import by client id: the string import ID may be the app's OAuth client
// id, which is resolved to the id by reading the caller's apps up to the page
// that holds it; the import then goes on as by id (identity { id }, one GET by
// the read that follows). A client id of another user's app, of a deleted
// app or of none fails in ImportResourceState with the per-creator
// explanation, after reading every page of the caller's apps, writing nothing.
func TestProtocol_importByClientID(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	var apps []*client.AppWithSecret // oldest first
	for i := range 150 {
		apps = append(apps, testAccCreateApp(t, api, clientCredentialsApp(fmt.Sprintf("proto import %03d", i))))
	}
	othersApp := testAccCreateApp(t, testAccClient(t, url, testAccOtherAdminToken), clientCredentialsApp("someone else's"))
	p := newProtoProvider(t, url, testAccAdminToken)

	for _, tc := range []struct {
		what  string
		app   *client.AppWithSecret
		pages int
	}{{"the newest app", apps[149], 1}, {"the 101st newest", apps[49], 2}} {
		emu.ResetCalls()
		resp, imported := p.importApp(tc.app.ClientID, nil)
		requireNoDiags(t, "ImportResourceState of "+tc.what, resp.Diagnostics)
		if imported == nil {
			t.Fatalf("%s: imported %d resources", tc.what, len(resp.ImportedResources))
		}
		if got := str(t, p.decode(p.resourceType(), imported.State)["id"]); got != tc.app.ID {
			t.Errorf("%s: imported id = %q, want %q", tc.what, got, tc.app.ID)
		}
		if got := p.identityID(imported.Identity); got != tc.app.ID {
			t.Errorf("%s: imported identity = %q, want the id %q", tc.what, got, tc.app.ID)
		}
		expectCalls(t, "ImportResourceState of "+tc.what, emu, map[string]int{emulator.RouteListApps: tc.pages})

		emu.ResetCalls()
		read := p.read(imported.State, imported.Private, imported.Identity)
		requireNoDiags(t, "ReadResource of "+tc.what, read.Diagnostics)
		state := p.decode(p.resourceType(), read.NewState)
		if str(t, state["id"]) != tc.app.ID || str(t, state["client_id"]) != tc.app.ClientID || str(t, state["name"]) != tc.app.Name {
			t.Errorf("%s: read state id %v, client_id %v, name %v", tc.what, state["id"], state["client_id"], state["name"])
		}
		expectCalls(t, "ReadResource of "+tc.what, emu, map[string]int{emulator.RouteGetApp: 1})
	}

	deleted := apps[0]
	if err := api.DeleteApp(context.Background(), deleted.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ what, clientID string }{
		{"another user's app", othersApp.ClientID},
		{"a deleted app", deleted.ClientID},
		{"no app", "f781997b-c958-4808-a804-5eef2f8102c2"},
	} {
		emu.ResetCalls()
		resp, imported := p.importApp(tc.clientID, nil)
		requireError(t, "ImportResourceState of "+tc.what, resp.Diagnostics,
			"Cannot import OAuth app: not visible to this credential", fmt.Sprintf("with client_id %q", tc.clientID),
			"none of the 149 OAuth apps listed", "only to the user who created it", "admins", "bearer_auth",
			"PIPESHUB_BEARER_AUTH", "deleted")
		if imported != nil {
			t.Errorf("%s: imported %v", tc.what, imported)
		}
		expectCalls(t, "ImportResourceState of "+tc.what, emu, map[string]int{emulator.RouteListApps: 2})
	}
}

// Importing an app PipesHub hides from the credential (another user's, or a
// deleted one) fails on the read that follows the import with an error that
// explains per-creator visibility and names bearer_auth, by id and by
// identity alike. A later refresh of a vanished app is still a warning.
func TestProtocol_importInvisibleApp(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	other := testAccClient(t, url, testAccOtherAdminToken)
	othersApp := testAccCreateApp(t, other, clientCredentialsApp("someone else's"))
	deleted := testAccCreateApp(t, api, clientCredentialsApp("deleted"))
	if err := api.DeleteApp(context.Background(), deleted.ID); err != nil {
		t.Fatal(err)
	}
	p := newProtoProvider(t, url, testAccAdminToken)

	for _, tc := range []struct {
		name, id string
		byID     bool
	}{
		{"other user's app by identity", othersApp.ID, false},
		{"other user's app by id", othersApp.ID, true},
		{"deleted app by identity", deleted.ID, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu.ResetCalls()
			var resp *tfprotov6.ImportResourceStateResponse
			var imported *tfprotov6.ImportedResource
			if tc.byID {
				resp, imported = p.importApp(tc.id, nil)
			} else {
				resp, imported = p.importApp("", p.identity(tc.id))
			}
			requireNoDiags(t, "ImportResourceState", resp.Diagnostics)
			read := p.read(imported.State, imported.Private, imported.Identity)
			requireError(t, "ReadResource", read.Diagnostics,
				"Cannot import OAuth app: not visible to this credential", tc.id, "OAuth app not found",
				"only to the user who created it", "admins", "bearer_auth", "PIPESHUB_BEARER_AUTH", "deleted")
			if len(read.Diagnostics) != 1 {
				t.Errorf("diagnostics = %d, want the one error: %v", len(read.Diagnostics), read.Diagnostics)
			}
			expectCalls(t, "ImportResourceState and ReadResource", emu, map[string]int{emulator.RouteGetApp: 1})
		})
	}

	// The mark is for the read after the import only: an app imported fine
	// and deleted later is removed from state with the usual warning (the
	// credential is the one that imported it, so the 404 is a deletion).
	later := testAccCreateApp(t, api, clientCredentialsApp("deleted later"))
	_, imported := p.importApp("", p.identity(later.ID))
	first := p.read(imported.State, imported.Private, imported.Identity)
	requireNoDiags(t, "ReadResource after import", first.Diagnostics)
	if len(first.Diagnostics) != 1 || first.Diagnostics[0].Summary != "Imported OAuth app has no client secret in Terraform" {
		t.Errorf("import diagnostics = %v, want the one warning that Terraform holds no secret", first.Diagnostics)
	}
	if err := api.DeleteApp(context.Background(), later.ID); err != nil {
		t.Fatal(err)
	}
	refresh := p.read(first.NewState, first.Private, first.NewIdentity)
	requireNoDiags(t, "ReadResource at refresh", refresh.Diagnostics)
	if len(refresh.Diagnostics) != 1 || refresh.Diagnostics[0].Summary != "OAuth app deleted outside Terraform" {
		t.Errorf("refresh diagnostics = %v, want the removal warning", refresh.Diagnostics)
	}
	if p.decode(p.resourceType(), refresh.NewState) != nil {
		t.Errorf("refresh kept the deleted app in state")
	}
}

// A state written before the identity existed (or by Terraform < 1.12, which
// keeps none) gets its identity on the next read.
func TestProtocol_readSetsIdentityOfOldState(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	app := testAccCreateApp(t, api, clientCredentialsApp("old state"))
	p := newProtoProvider(t, url, testAccAdminToken)
	state := p.dynamic(p.resourceType(), map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, app.ID)})
	read := p.read(state, nil, nil)
	requireNoDiags(t, "ReadResource", read.Diagnostics)
	if got := p.identityID(read.NewIdentity); got != app.ID {
		t.Errorf("identity = %q, want %q", got, app.ID)
	}
	if len(read.Diagnostics) != 0 {
		t.Errorf("diagnostics = %v, want none", read.Diagnostics)
	}
}

// Acceptance: importing another user's app fails with the explanation, not
// with Terraform's "Cannot import non-existent remote object". Runs on every
// Terraform (and OpenTofu) the suite supports.
func TestAccOAuthApp_importOtherUsersApp(t *testing.T) {
	emu, url, api := newTestEmulatorWithAdminClient(t)
	other := testAccClient(t, url, testAccOtherAdminToken)
	app := testAccCreateApp(t, other, clientCredentialsApp("tfacc someone else's"))
	body := `
  name                = "tfacc someone else's"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]`
	// terraform wraps the detail, so any space may be a line break.
	want := regexp.MustCompile(strings.ReplaceAll(`(?s)Cannot import OAuth app: not visible to this credential.*`+app.ID+
		`.*only to the user who created it.*admins of the same organisation.*bearer_auth`, " ", `\s+`))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				PreConfig:     emu.ResetCalls,
				Config:        appConfig(url, testAccAdminToken, body),
				ResourceName:  appAddr,
				ImportState:   true,
				ImportStateId: app.ID,
				ExpectError:   want,
			},
			{
				// An import block, planned as a user would (Terraform 1.5 and later).
				Config:      fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", appAddr, app.ID) + appConfig(url, testAccAdminToken, body),
				ExpectError: want,
			},
			{
				// By client_id: the walk of the caller's apps misses it, and the error says why.
				Config: fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", appAddr, app.ClientID) + appConfig(url, testAccAdminToken, body),
				ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)Cannot import OAuth app: not visible to this credential.*`+
					`no OAuth app with client_id "`+app.ClientID+`".*only to the user who created it.*admins of the same organisation.*bearer_auth`,
					" ", `\s+`)),
			},
		},
	})
	if n := emu.Calls(emulator.RouteCreateApp) + emu.Calls(emulator.RouteUpdateApp) + emu.Calls(emulator.RouteDeleteApp); n != 0 {
		t.Errorf("the failed imports wrote to PipesHub: %v", emu.CallCounts())
	}
}

// Acceptance (Terraform 1.12 and later): an import block with identity
// imports the app, plans no change, and the state carries the identity.
func TestAccOAuthApp_importByIdentity(t *testing.T) {
	_, url, api := newTestEmulatorWithAdminClient(t)
	app := testAccCreateApp(t, api, clientCredentialsApp("tfacc identity"))
	body := `
  name                = "tfacc identity"
  allowed_grant_types = ["client_credentials"]
  allowed_scopes      = ["kb:read"]`

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipBelowIdentity},
		CheckDestroy:             expectAppsDestroyed(api),
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf("import {\n  to = %s\n  identity = {\n    id = %q\n  }\n}\n", appAddr, app.ID) +
					appConfig(url, testAccAdminToken, body),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(appAddr, map[string]knownvalue.Check{"id": knownvalue.StringExact(app.ID)}),
				},
			},
			{
				Config:          appConfig(url, testAccAdminToken, body),
				ResourceName:    appAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}
