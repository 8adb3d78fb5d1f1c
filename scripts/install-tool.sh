#!/usr/bin/env bash
# Installs one pinned development tool with `go install` into a cache directory
# keyed by name and version, so CI and developers build each tool once and a
# version bump never reuses a stale binary. Prints the binary's path.
#
#   scripts/install-tool.sh golangci-lint|goreleaser|tofu|actionlint
#
# TOOLS_DIR overrides the cache root
# (default: $HOME/.cache/terraform-provider-pipeshub/tools).
set -euo pipefail

name="${1:-}"
case "$name" in
  golangci-lint)
    version=v2.15.0
    pkg=github.com/golangci/golangci-lint/v2/cmd/golangci-lint ;;
  goreleaser)
    # v2.15.x signs the checksum file wrongly; v2.17+ no longer installs with go install.
    version=v2.16.0
    pkg=github.com/goreleaser/goreleaser/v2 ;;
  tofu)
    # Later OpenTofu releases cannot be built with a plain go install.
    version=v1.6.3
    pkg=github.com/opentofu/opentofu/cmd/tofu ;;
  actionlint)
    # Checks .github/workflows, which cannot run here (make actionlint).
    version=v1.7.12
    pkg=github.com/rhysd/actionlint/cmd/actionlint ;;
  *)
    echo "usage: $0 golangci-lint|goreleaser|tofu|actionlint" >&2
    exit 2 ;;
esac

command -v go >/dev/null 2>&1 || { echo "install-tool: go is not on PATH" >&2; exit 1; }

tools_dir="${TOOLS_DIR:-$HOME/.cache/terraform-provider-pipeshub/tools}"
bin_dir="$tools_dir/$name-$version"
bin="$bin_dir/$name"

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin_dir"
echo "install-tool: installing $name $version (go install, cached in $bin_dir)" >&2
# Build outside the repository so the provider's go.mod neither constrains nor
# records the tool's dependencies; a temporary GOBIN makes the install atomic.
tmp_bin="$(mktemp -d "$bin_dir.tmp.XXXXXX")"
trap 'rm -rf "$tmp_bin"' EXIT
# The caller's GOFLAGS (say -mod=vendor) are meant for the provider, not for this.
(cd "$tmp_bin" && GOBIN="$tmp_bin" GOFLAGS= go install "$pkg@$version")
mv "$tmp_bin/$name" "$bin"
echo "$bin"
