package provider

import (
	"context"
	"os"
	"testing"
)

// TestDropLogsTerraformDiscards: with no TF_LOG or TF_LOG_PROVIDER,
// Terraform discards every provider log line, so the plugin's loggers are
// turned off; any log setting leaves them as they are.
func TestDropLogsTerraformDiscards(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		off  bool
	}{
		{"no log settings", nil, true},
		{"TF_LOG", map[string]string{"TF_LOG": "DEBUG"}, false},
		{"TF_LOG_PROVIDER", map[string]string{"TF_LOG_PROVIDER": "TRACE"}, false},
		{"a plugin level", map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, pluginLogLevelVars...) {
				t.Setenv(v, tt.env[v])
				if tt.env[v] == "" {
					_ = os.Unsetenv(v) // restored by t.Setenv's cleanup
				}
			}
			t.Cleanup(func() { logsOff.Store(false) })
			DropLogsTerraformDiscards()
			if logsOff.Load() != tt.off {
				t.Fatalf("logs off = %v, want %v", logsOff.Load(), tt.off)
			}
			for _, v := range pluginLogLevelVars {
				if got := os.Getenv(v); tt.off && got != "OFF" || !tt.off && got != tt.env[v] {
					t.Errorf("%s = %q", v, got)
				}
			}
			ctx := context.Background()
			if masked := maskSecrets(ctx, "secret"); tt.off && masked != ctx || !tt.off && masked == ctx {
				t.Errorf("masks built = %v, want %v", masked != ctx, !tt.off)
			}
		})
	}
}
