package provider

import (
	"context"
	"os"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The levels of the plugin's loggers: the SDK's, its protocol and framework
// subsystems', and this provider's (tf6server reads TF_LOG_PROVIDER_<NAME>).
var pluginLogLevelVars = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_PIPESHUB"}

// logsOff is set when every log line of the plugin is dropped at the source:
// masking secrets in them is then moot, and skipped.
var logsOff atomic.Bool

// DropLogsTerraformDiscards turns the plugin's loggers off when Terraform
// was asked for no provider logs (neither TF_LOG nor TF_LOG_PROVIDER is set)
// and none of their own levels is set. Terraform then discards every line a
// provider writes, but only after the plugin formatted it as JSON and
// Terraform parsed it back: profiled at 200 apps, a third of the provider's
// CPU and most of its garbage went to lines nobody would see. Call it once
// before serving, and not in debug mode, where the plugin's stderr is read
// directly.
func DropLogsTerraformDiscards() {
	for _, v := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, pluginLogLevelVars...) {
		if os.Getenv(v) != "" {
			return
		}
	}
	for _, v := range pluginLogLevelVars {
		_ = os.Setenv(v, "OFF")
	}
	logsOff.Store(true)
}

// secretFieldKeys are log field keys whose values are always masked, whatever they hold.
var secretFieldKeys = []string{"client_secret", "clientSecret", "bearer_auth", "Authorization", "authorization"}

// maskSecrets returns ctx with every given secret masked in provider log
// messages and field values, so that neither the bearer token nor a client
// secret can reach a log line written with this context.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	if logsOff.Load() {
		return ctx // nothing is logged: no mask to build per call
	}
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
	if logsOff.Load() {
		return
	}
	tflog.Debug(maskSecrets(ctx, l.bearerToken), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	if logsOff.Load() {
		return
	}
	tflog.Warn(maskSecrets(ctx, l.bearerToken), msg, fields)
}
