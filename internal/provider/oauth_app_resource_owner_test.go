package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// ownedApp is an app in state as the provider of owner (a bearer token)
// left it (imported, then read; or created), so that its private state
// records the owner.
type ownedApp struct {
	id      string
	state   *tfprotov6.DynamicValue
	private []byte
}

func importOwnedApp(t *testing.T, p *protoProvider, appID string) ownedApp {
	t.Helper()
	_, imported := p.importApp(appID, nil)
	read := p.read(imported.State, imported.Private, imported.Identity)
	requireNoDiags(t, "ReadResource after import", read.Diagnostics)
	return ownedApp{id: appID, state: read.NewState, private: read.Private}
}

// A refresh with another user's credential (an app created by alice, read
// with bob's token) stops with one error naming both users, and plans no
// create: no app leaves state. Only alice's own credential, renewed or not,
// may take a 404 for a deletion.
func TestProtocol_credentialSwap(t *testing.T) {
	emu, url := newTestEmulator(t)
	alice := testAccClient(t, url, testAccAliceToken)
	first := testAccCreateApp(t, alice, clientCredentialsApp("alice's first"))
	second := testAccCreateApp(t, alice, clientCredentialsApp("alice's second"))
	asAlice := newProtoProvider(t, url, testAccAliceToken)
	apps := []ownedApp{importOwnedApp(t, asAlice, first.ID), importOwnedApp(t, asAlice, second.ID)}

	t.Run("another user's JWT", func(t *testing.T) {
		asBob := newProtoProvider(t, url, testAccBobToken)
		emu.ResetCalls()
		firstRead := asBob.read(apps[0].state, apps[0].private, nil)
		requireError(t, "ReadResource", firstRead.Diagnostics,
			"Cannot read OAuth app: another PipesHub user's credential", first.ID, first.ClientID, `"alice's first"`,
			"created by PipesHub user "+testAccAlice.ID, "now acts as PipesHub user "+testAccBob.ID,
			"only to the user who created it", "PIPESHUB_BEARER_AUTH", "terraform state rm")
		if asBob.decode(asBob.resourceType(), firstRead.NewState) == nil {
			t.Error("the app left state")
		}
		// The second app has the same cause: no second error, and it stays in state.
		secondRead := asBob.read(apps[1].state, apps[1].private, nil)
		if len(secondRead.Diagnostics) != 0 || asBob.decode(asBob.resourceType(), secondRead.NewState) == nil {
			t.Errorf("second app: diagnostics %v, state %v; want none, and the app kept", secondRead.Diagnostics, secondRead.NewState)
		}
		// The second read starts the listing: page 1 of bob's apps holds
		// neither, so both go by GET (the paged refresh's lost bet).
		expectCalls(t, "two refreshes", emu, map[string]int{emulator.RouteGetApp: 2, emulator.RouteListApps: 1})
	})
	t.Run("another opaque token", func(t *testing.T) {
		// Tokens that name no user are compared as tokens.
		mine := importOwnedApp(t, newProtoProvider(t, url, testAccAdminToken),
			testAccCreateApp(t, testAccClient(t, url, testAccAdminToken), clientCredentialsApp("admin's")).ID)
		read := newProtoProvider(t, url, testAccOtherAdminToken).read(mine.state, mine.private, nil)
		requireError(t, "ReadResource", read.Diagnostics,
			"Cannot read OAuth app: another PipesHub user's credential", mine.id, "a bearer token that names no user")
	})
	t.Run("a token that cannot be compared", func(t *testing.T) {
		read := newProtoProvider(t, url, testAccOtherAdminToken).read(apps[0].state, apps[0].private, nil)
		requireError(t, "ReadResource", read.Diagnostics,
			"Cannot read OAuth app: not visible to this credential", "cannot tell whether they are the same user",
			"created by PipesHub user "+testAccAlice.ID)
	})
	t.Run("no owner recorded", func(t *testing.T) {
		read := newProtoProvider(t, url, testAccBobToken).read(apps[0].state, nil, nil)
		requireError(t, "ReadResource", read.Diagnostics,
			"Cannot read OAuth app: not visible to this credential", "records no owner")
	})
	t.Run("the owner's renewed token", func(t *testing.T) {
		renewed := newProtoProvider(t, url, testAccAliceRenewed)
		read := renewed.read(apps[0].state, apps[0].private, nil)
		if len(read.Diagnostics) != 0 || str(t, renewed.decode(renewed.resourceType(), read.NewState)["id"]) != first.ID {
			t.Fatalf("diagnostics %v; want a clean read of the app", read.Diagnostics)
		}
		if err := alice.DeleteApp(context.Background(), first.ID); err != nil {
			t.Fatal(err)
		}
		gone := renewed.read(read.NewState, read.Private, nil)
		if len(gone.Diagnostics) != 1 || gone.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityWarning ||
			gone.Diagnostics[0].Summary != "OAuth app deleted outside Terraform" ||
			!strings.Contains(gone.Diagnostics[0].Detail, "PipesHub user "+testAccAlice.ID) {
			t.Fatalf("diagnostics %v; want the one deletion warning naming alice", gone.Diagnostics)
		}
		if renewed.decode(renewed.resourceType(), gone.NewState) != nil {
			t.Error("the deleted app stayed in state: the plan would not create it again")
		}
	})
}
