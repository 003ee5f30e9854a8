#!/usr/bin/env bash
# bench/policy.sh — in-process policy decisions vs OPA in the same run (a nested module keeps
# OPA out of the product's go.mod), then HTTP decisions/s and p99 over loopback (SPEC §10).
# Prints the tables; copy them into the "Policy" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd bench/policy && go run . -rounds "${BENCH_POLICY_ROUNDS:-10}")
BYTECHEF_POLICY_LOAD=${BYTECHEF_POLICY_LOAD:-20} go test ./api -run TestPolicyHTTPLoad -count=1 -v | grep -A3 '^| decisions'
