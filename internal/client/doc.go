// Package client is the typed client of PipesHub's OAuth-app API: the
// /oauth-clients endpoints (apps, secrets, statuses, tokens;
// internal/emulator/README.md §5) and the /oauth2 token and revoke endpoints
// (internal/emulator/README.md §10). On top of the HTTP calls it
//
//   - sends every call through one attempt loop (request.go) that retries
//     by idempotency and by a budget per kind of failure: after a 5xx or a
//     lost answer only requests that are safe to repeat are sent again, a
//     create or a token request only after a 429 or when it never reached
//     the server, and nothing new after the caller's interrupt;
//   - paces itself by the limits the server announces in its rate-limit
//     headers, to stay within them rather than run into 429s (pacing.go);
//   - recovers a create whose answer was lost, by finding the app it made
//     (create_recovery.go).
//
// It speaks PipesHub's HTTP API and nothing else: it imports no Terraform
// package (callers adapt Logger), and never internal/emulator. The tests of
// this package may import the emulator, to configure and serve it (httptest,
// emulator.StartServer), inject faults and count calls, but the client under
// test reaches it only over HTTP. depguard in .golangci.yml enforces both.
package client
