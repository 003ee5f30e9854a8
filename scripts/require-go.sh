#!/usr/bin/env bash
# Stops with one clear line when Go is missing or too old.
command -v go >/dev/null || { echo "Go 1.26 or newer is required: install it from your package manager or go.dev/dl" >&2; exit 1; }
v=$(go env GOVERSION | sed -E 's/^go([0-9]+)\.([0-9]+).*/\1 \2/')
set -- $v
if [ "$1" -lt 1 ] || { [ "$1" -eq 1 ] && [ "$2" -lt 26 ]; }; then
  echo "Go 1.26 or newer is required (found $(go env GOVERSION))" >&2; exit 1
fi
