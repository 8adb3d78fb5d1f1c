package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// Keys of the resource's private state: what the last apply could not
// finish, so that the next plan shows it and the next apply finishes it
// although the attributes in state look settled.
const (
	// privateSuspendPending: the app was created with status "suspended",
	// which state records, but suspending it failed, so it is still active.
	privateSuspendPending = "suspend_pending"
	// privateSecretMissing: the app was adopted after a lost create answer
	// and regenerating its secret failed, so client_secret is null.
	privateSecretMissing = "secret_missing"
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

// privateFlags reads both flags.
func privateFlags(ctx context.Context, private privateState, diags *diag.Diagnostics) (suspendPending, secretMissing bool) {
	flag := func(key string) bool {
		v, d := private.GetKey(ctx, key)
		diags.Append(d...)
		return string(v) == "true"
	}
	return flag(privateSuspendPending), flag(privateSecretMissing)
}
