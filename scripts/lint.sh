#!/usr/bin/env bash
# scripts/lint.sh — static checks CI runs: formatting, license headers, vet, golangci-lint
# (with depguard enforcing the dependency direction), workflowcheck (determinism) and
# `sqlc diff` (generated code current).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s lint-tools
fail=0
step() { echo "== $*"; }
step gofmt
unformatted=$(gofmt -l $(git ls-files '*.go'))
[ -z "$unformatted" ] || { echo "gofmt needed:"; echo "$unformatted"; fail=1; }
step license headers
scripts/license.sh check || fail=1
step go vet
go vet -tags e2e ./... || fail=1
step golangci-lint
bin/golangci-lint run ./... || fail=1
step workflowcheck
bin/workflowcheck ./workflows/... || fail=1
step sqlc diff
go tool sqlc diff || fail=1
exit $fail
