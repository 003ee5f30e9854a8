#!/usr/bin/env bash
# license.sh check|fix — every Go file carries the ByteChef Enterprise license header (SPEC 2.8).
# Generated files (marked "Code generated") are exempt.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
header='// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.
'
missing=0
while IFS= read -r f; do
  head -3 "$f" | grep -q 'Code generated' && continue
  head -5 "$f" | grep -q 'ByteChef Enterprise' && continue
  if [ "$mode" = fix ]; then
    { printf '%s\n' "$header"; cat "$f"; } > "$f.tmp" && mv "$f.tmp" "$f"
  else
    echo "missing license header: $f"; missing=1
  fi
done < <(git ls-files --cached --others --exclude-standard '*.go')
exit $missing
