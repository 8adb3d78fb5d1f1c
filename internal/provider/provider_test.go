package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/emulator"
)

// Bearer tokens the test emulator knows: two admins and a member of one organisation.
const (
	testAccAdminToken      = "tfacc-admin-token"
	testAccOtherAdminToken = "tfacc-other-admin-token"
	testAccMemberToken     = "tfacc-member-token"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the terraform binary.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"pipeshub": providerserver.NewProtocol6WithError(New("test")()),
}

// TestMain refuses to run acceptance tests without TF_ACC_TERRAFORM_PATH:
// given none, plugin-testing would download the latest terraform release.
// It reads the live switch (live_test.go) once, and runs the sweeper instead
// of the tests when given -sweep (resource.TestMain).
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC") != "" && os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		fmt.Fprintln(os.Stderr, "TF_ACC is set but TF_ACC_TERRAFORM_PATH is empty: set it to the terraform binary to test against "+
			"(`make test` sets it to the one on PATH); nothing is downloaded.")
		os.Exit(1)
	}
	live, err := liveSettingsFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if live != nil {
		liveServer = live
		fmt.Fprintf(os.Stderr, "live: the TestAccLive_ tests run against %s, creating apps named %s* and deleting them\n",
			live.url, liveNamePrefix)
	}
	resource.TestMain(m)
}

// Users whose tokens are session JWTs naming them, as PipesHub's are
// (internal/emulator/README.md §2): the provider reads who a token acts as
// from its claims. alice has two tokens, as after a renewal.
var (
	testAccAlice        = emulator.User{ID: emulator.StableID("tfacc-alice"), OrgID: emulator.StableID("tfacc-org"), Role: "admin"}
	testAccBob          = emulator.User{ID: emulator.StableID("tfacc-bob"), OrgID: emulator.StableID("tfacc-org"), Role: "admin"}
	testAccAliceToken   = sessionJWT(testAccAlice, 1)
	testAccAliceRenewed = "phpat_" + sessionJWT(testAccAlice, 2)
	testAccBobToken     = sessionJWT(testAccBob, 1)
)

// sessionJWT is a JWT-shaped token with a session's claims for user. The
// emulator knows its users by their tokens as strings and verifies no
// signature, so the signature here is a placeholder.
func sessionJWT(user emulator.User, issued int) string {
	claims, err := json.Marshal(map[string]any{"userId": user.ID, "orgId": user.OrgID, "role": user.Role, "iat": issued})
	if err != nil {
		panic(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims) + "." + enc([]byte("test"))
}

// testAccUsers are the users of the test emulators, by bearer token.
var testAccUsers = map[string]emulator.User{
	testAccAdminToken:      {ID: emulator.StableID("tfacc-admin"), OrgID: emulator.StableID("tfacc-org"), Role: "admin"},
	testAccOtherAdminToken: {ID: emulator.StableID("tfacc-other-admin"), OrgID: emulator.StableID("tfacc-org"), Role: "admin"},
	testAccMemberToken:     {ID: emulator.StableID("tfacc-member"), OrgID: emulator.StableID("tfacc-org"), Role: "member"},
	testAccAliceToken:      testAccAlice,
	testAccAliceRenewed:    testAccAlice,
	testAccBobToken:        testAccBob,
}

// newTestEmulator starts an in-process PipesHub emulator and returns it with its server_url.
func newTestEmulator(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Tokens: testAccUsers})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	return emu, srv.URL + "/api/v1"
}

// newTestEmulatorWithAdminClient is newTestEmulator plus an API client acting
// as the admin (testAccAdminToken), for arranging fixtures and checking what
// PipesHub holds.
func newTestEmulatorWithAdminClient(t *testing.T) (*emulator.Emulator, string, *client.Client) {
	t.Helper()
	emu, serverURL := newTestEmulator(t)
	return emu, serverURL, testAccClient(t, serverURL, testAccAdminToken)
}

// refusingServerURL is a server_url on this machine where nothing listens,
// so that every connection is refused.
func refusingServerURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serverURL := "http://" + ln.Addr().String() + "/api/v1"
	_ = ln.Close() // nothing listens there any more
	return serverURL
}

// testAccTraceLog sends terraform's and the provider's TRACE logs to a file
// and returns a function that reads it once the test case has run. The
// bearer token comes from the environment, as in CI: plugin-testing logs the
// configuration files, which must therefore not hold it. Not for parallel
// tests: it sets process-wide variables.
func testAccTraceLog(t *testing.T) (read func() string) {
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("PIPESHUB_BEARER_AUTH", testAccAdminToken)
	return func() string {
		raw, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatalf("reading the trace log: %v", err)
		}
		return string(raw)
	}
}

// testAccProviderConfig is a provider block for the emulator at serverURL.
func testAccProviderConfig(serverURL, token string) string {
	return fmt.Sprintf(`
provider "pipeshub" {
  server_url  = %q
  bearer_auth = %q
}
`, serverURL, token)
}

// testAccClient is an API client acting as an emulator user, for arranging
// fixtures directly (far faster than through terraform).
func testAccClient(t *testing.T, serverURL, token string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{ServerURL: serverURL, BearerToken: token, UserAgent: "terraform-provider-pipeshub-tests"})
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return c
}

// testAccCreateApp creates an app directly through the API.
func testAccCreateApp(t *testing.T, c *client.Client, req client.CreateAppRequest) *client.AppWithSecret {
	t.Helper()
	app, err := c.CreateApp(context.Background(), req)
	if err != nil {
		t.Fatalf("creating app %q: %v", req.Name, err)
	}
	return app
}

// clientCredentialsApp is the request for a plain machine-to-machine app:
// the client_credentials grant and the kb:read scope.
func clientCredentialsApp(name string) client.CreateAppRequest {
	return client.CreateAppRequest{Name: name, AllowedGrantTypes: []string{client.GrantClientCredentials}, AllowedScopes: []string{"kb:read"}}
}

// testAccExample returns a file under examples/, so that a broken example fails the tests.
func testAccExample(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("reading example: %v", err)
	}
	return string(b)
}

// ptr returns a pointer to a copy of v, for the API's optional fields.
func ptr[T any](v T) *T { return &v }
