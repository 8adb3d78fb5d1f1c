#!/usr/bin/env bash
# Prints the registry host that OpenTofu assumes for a provider given without a
# source address (registry.opentofu.org for OpenTofu 1.6), by asking the binary
# itself rather than hard-coding it. terraform-plugin-testing needs it in
# TF_ACC_PROVIDER_HOST so the provider it serves in-process has the address the
# CLI looks for.
#
#   scripts/tofu-provider-host.sh [PATH_TO_TOFU]
set -euo pipefail

tofu="${1:-tofu}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

printf 'provider "probe" {}\n' > "$work/main.tf"
# `tofu providers` lists requirements without installing anything.
out="$(cd "$work" && TF_CLI_CONFIG_FILE=/dev/null "$tofu" providers 2>&1)" || {
  echo "tofu-provider-host: '$tofu providers' failed:" >&2
  echo "$out" >&2
  exit 1
}
# e.g. "└── provider[registry.opentofu.org/hashicorp/probe]"
host="$(sed -n 's#.*provider\[\([^/]*\)/[^/]*/probe\].*#\1#p' <<<"$out" | head -n 1)"
if [[ -z "$host" ]]; then
  echo "tofu-provider-host: could not find the default registry host in:" >&2
  echo "$out" >&2
  exit 1
fi
echo "$host"
