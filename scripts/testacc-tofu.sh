#!/usr/bin/env bash
# Runs the acceptance suite against OpenTofu 1.6.3 (installed once with
# `go install` and cached by scripts/install-tool.sh), then lists every test
# that skipped itself and why: only tests of features newer than OpenTofu 1.6
# (such as ephemeral resources) may skip here, and the list makes that visible.
#
# TESTACC_PACKAGES (default ./internal/provider/...), TEST_TIMEOUT (default
# 10m) and TESTFLAGS (extra go test flags) tune the run; scripts/go-test.sh
# prints the verdicts and the skipped tests with their reasons.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tofu="$(scripts/install-tool.sh tofu)"
# plugin-testing serves the provider as HOST/hashicorp/pipeshub; under OpenTofu
# HOST must be OpenTofu's default registry, which we ask tofu for.
host="$(scripts/tofu-provider-host.sh "$tofu")"
echo "testacc-tofu: $("$tofu" version 2>/dev/null | head -n 1), provider host $host"

# The fault matrix, the Ctrl-C and the rate-limit tests prove the provider's
# own handling of PipesHub's answers, which does not depend on the CLI; they
# run under Terraform in `make test` and would double this run's length.
# The examples declare the Terraform versions they need and are validated on
# Terraform in `make test` (TestExamples_validate), not on OpenTofu.
TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tofu" TF_ACC_PROVIDER_HOST="$host" CHECKPOINT_DISABLE=1 \
  scripts/go-test.sh testacc-tofu -p 2 -timeout "${TEST_TIMEOUT:-10m}" \
  -skip 'TestAccOAuthAppFaults|TestAccOAuthApp_interrupt|TestAccOAuthApp_rateLimited|TestExamples_validate' ${TESTFLAGS:-} \
  ${TESTACC_PACKAGES:-./internal/provider/...}
