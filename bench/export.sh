#!/usr/bin/env bash
# bench/export.sh — organization data export benchmark (SPEC §10): BENCH_EXPORT_ROWS rows
# (default 1,000,000; the SPEC target is 10,000,000) exported to the S3 gateway against
# psql \copy of the same query; writes the "Export" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_EXPORT_ROWS="${BENCH_EXPORT_ROWS:-1000000}"
go test ./bench/export/ -run TestExportBenchmark -count=1 -v -timeout 60m
