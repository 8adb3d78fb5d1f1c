package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// secretFieldKeys are log field keys whose values are always masked, whatever they hold.
var secretFieldKeys = []string{"client_secret", "clientSecret", "bearer_auth", "Authorization", "authorization"}

// maskSecrets returns ctx with every given secret masked in provider log
// messages and field values, so that neither the bearer token nor a client
// secret can reach a log line written with this context.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	for _, s := range secrets {
		if s == "" {
			continue // masking "" would blank every line
		}
		ctx = tflog.MaskMessageStrings(ctx, s)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, s)
	}
	return ctx
}

// tflogLogger writes the client's request log through tflog, masking the bearer token.
type tflogLogger struct {
	bearerToken string
}

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(maskSecrets(ctx, l.bearerToken), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(maskSecrets(ctx, l.bearerToken), msg, fields)
}
