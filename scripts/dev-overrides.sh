#!/usr/bin/env bash
# Writes a Terraform CLI configuration whose dev_overrides block makes the CLI
# use the provider binary in BIN_DIR (built from this checkout) instead of
# looking pipeshub-ai/pipeshub up in a registry. With it, plan and apply need
# no `terraform init` (init would still look in the registry).
#
#   scripts/dev-overrides.sh CLI BIN_DIR FILE
#
# CLI (terraform or tofu, a name on PATH or a path) decides the registry host
# of the provider's address: registry.terraform.io for Terraform,
# registry.opentofu.org for OpenTofu (asked of the binary, see
# tofu-provider-host.sh). Used by `make demo` and `make install`.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 CLI BIN_DIR FILE" >&2
  exit 2
fi
cli="$1" bin_dir="$2" file="$3"

if command -v "$cli" >/dev/null 2>&1; then
  host="$("$(dirname "${BASH_SOURCE[0]}")/tofu-provider-host.sh" "$cli")"
else
  host=registry.terraform.io
  echo "dev-overrides: '$cli' is not on PATH; writing the address Terraform uses ($host)" >&2
fi

mkdir -p "$(dirname "$file")"
cat >"$file" <<CONFIG
provider_installation {
  dev_overrides {
    "$host/pipeshub-ai/pipeshub" = "$bin_dir"
  }
  direct {}
}
CONFIG
