package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/pipeshub-ai/terraform-provider-pipeshub/internal/client"
)

// Keys of the resource's private state: what the last apply could not
// finish, so that the next plan shows it and the next apply finishes it
// although the attributes in state look settled; and who owns the app.
const (
	// privateSuspendPending: the app was created with status "suspended",
	// which state records, but suspending it failed, so it is still active.
	privateSuspendPending = "suspend_pending"
	// privateSecretMissing: the app was adopted after a lost create answer
	// and regenerating its secret failed, so client_secret is null.
	privateSecretMissing = "secret_missing"
	// privateSecretReplaced: a refresh found that the secret in state no
	// longer works (regenerated outside Terraform), so client_secret is
	// null and the next apply regenerates it.
	privateSecretReplaced = "secret_replaced"
	// privateUpdatedAtStale: Terraform regenerated the secret itself, which
	// changes updated_at without telling it (PipesHub's answer holds no app),
	// so the next refresh must not read the new updated_at as a change made
	// outside Terraform.
	privateUpdatedAtStale = "updated_at_stale"
	// privateOwner: the client.Caller that created or last read the app. A
	// 404 to the same caller means the app was deleted; to another, that the
	// credential changed (see readNotFound).
	privateOwner = "owner"
	// privateReadFrom: the fingerprint (appFingerprint) of the app object
	// whose attributes state holds, set by the write or refresh that stored
	// them; absent when state may differ from fromAPI of that object. A
	// refresh that finds the same object keeps state as it is (see Read).
	privateReadFrom = "read_from"
	// privatePlace: where the app sat in its user's listing when a
	// refresh last learned it (client.ListingPlace), so that the next
	// refresh fetches the page that holds it, or none when it is not known.
	privatePlace = "listing_place"
)

// privateState is the part of the framework's private state API used here
// (the request and response types of each operation implement it).
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateStateWriter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// setPrivateFlag sets or, with on false, removes a flag.
func setPrivateFlag(ctx context.Context, private privateStateWriter, key string, on bool) diag.Diagnostics {
	if on {
		return private.SetKey(ctx, key, []byte("true"))
	}
	return private.SetKey(ctx, key, nil)
}

// unfinishedWork is what the private flags say the next apply must finish.
type unfinishedWork struct {
	suspendPending, secretMissing, secretReplaced bool
}

// any reports whether a flag is set.
func (u unfinishedWork) any() bool { return u.suspendPending || u.secretMissing || u.secretReplaced }

// regenerateSecret reports whether the next apply must get a new secret.
func (u unfinishedWork) regenerateSecret() bool { return u.secretMissing || u.secretReplaced }

// privateFlags reads the flags of unfinished work.
func privateFlags(ctx context.Context, private privateState, diags *diag.Diagnostics) unfinishedWork {
	return unfinishedWork{
		suspendPending: privateFlag(ctx, private, privateSuspendPending, diags),
		secretMissing:  privateFlag(ctx, private, privateSecretMissing, diags),
		secretReplaced: privateFlag(ctx, private, privateSecretReplaced, diags),
	}
}

func privateFlag(ctx context.Context, private privateState, key string, diags *diag.Diagnostics) bool {
	v, d := private.GetKey(ctx, key)
	diags.Append(d...)
	return string(v) == "true"
}

// privateCaller reads the owner recorded for the app; the zero Caller when
// none is (a state written before the provider recorded owners).
func privateCaller(ctx context.Context, private privateState, diags *diag.Diagnostics) client.Caller {
	return privateJSON[client.Caller](ctx, private, privateOwner, diags)
}

// setPrivateCaller records the app's owner.
func setPrivateCaller(ctx context.Context, private privateStateWriter, owner client.Caller) diag.Diagnostics {
	return setPrivateJSON(ctx, private, privateOwner, owner)
}

// privateListingPlace reads the app's place in the listing; the zero place
// (nothing known) when none is recorded.
func privateListingPlace(ctx context.Context, private privateState, diags *diag.Diagnostics) client.ListingPlace {
	return privateJSON[client.ListingPlace](ctx, private, privatePlace, diags)
}

// setPrivateListingPlace records the app's place in the listing.
func setPrivateListingPlace(ctx context.Context, private privateStateWriter, place client.ListingPlace) diag.Diagnostics {
	return setPrivateJSON(ctx, private, privatePlace, place)
}

// privateJSON reads the JSON value of key; the zero value when none is
// recorded or it cannot be read.
func privateJSON[T any](ctx context.Context, private privateState, key string, diags *diag.Diagnostics) T {
	var value T
	v, d := private.GetKey(ctx, key)
	diags.Append(d...)
	if len(v) > 0 && json.Unmarshal(v, &value) != nil {
		var zero T
		return zero
	}
	return value
}

// setPrivateJSON records value, a struct of strings and numbers, as key's
// JSON value.
func setPrivateJSON(ctx context.Context, private privateStateWriter, key string, value any) diag.Diagnostics {
	v, _ := json.Marshal(value) // strings and numbers: cannot fail
	return private.SetKey(ctx, key, v)
}

// appFingerprint identifies app's object as PipesHub returned it, every
// field, for this provider version: a new version may map the object to
// state differently, so its first refresh converts it again. The object
// holds no secret.
func appFingerprint(providerVersion string, app *client.App) []byte {
	object, _ := json.Marshal(app) // strings, numbers and lists: cannot fail
	sum := sha256.Sum256(append([]byte(providerVersion+"\n"), object...))
	v, _ := json.Marshal(hex.EncodeToString(sum[:16])) // private state values are JSON
	return v
}

// setPrivateReadFrom records that state holds fromAPI(app), or, with app
// nil, that it may not.
func setPrivateReadFrom(ctx context.Context, private privateStateWriter, providerVersion string, app *client.App) diag.Diagnostics {
	if app == nil {
		return private.SetKey(ctx, privateReadFrom, nil)
	}
	return private.SetKey(ctx, privateReadFrom, appFingerprint(providerVersion, app))
}

// stateHolds reports whether state already holds fromAPI(app) and nothing
// Read would change: the object is the one recorded, and no regenerate by
// Terraform is waiting to be told from one outside it.
func stateHolds(ctx context.Context, private privateState, providerVersion string, app *client.App, diags *diag.Diagnostics) bool {
	recorded, d := private.GetKey(ctx, privateReadFrom)
	diags.Append(d...)
	return len(recorded) > 0 && string(recorded) == string(appFingerprint(providerVersion, app)) &&
		!privateFlag(ctx, private, privateUpdatedAtStale, diags)
}
