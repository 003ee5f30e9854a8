#!/usr/bin/env bash
# scripts/bench.sh — runs every benchmark program; each updates its own section of
# bench/RESULTS.md with the machine, date and commit of the run.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
ran=0
for s in bench/*.sh; do
  echo "== $s"; bash "$s"; ran=1
done
[ $ran = 1 ] || echo "no benchmark programs under bench/"
