#!/usr/bin/env bash
# Regenerates the TypeScript contracts (libs/contracts/src/generated) from proto/ with buf and the
# ts-proto plugin, both from node_modules, so it works offline. buf.gen.yaml has `clean: true`:
# the output directory is emptied first, so deleted protos leave no stale files behind.
#
# Usage: scripts/proto-generate.sh [outDir]
#   outDir: generate into another directory instead (tools/checks/contracts.spec.ts uses it to
#   check that the committed code is fresh). Same template, only the output differs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
buf="$root/node_modules/.bin/buf"

# buf.gen.yaml names the plugin and the output relative to proto/.
cd "$root/proto"
if [[ $# -eq 0 ]]; then
  "$buf" generate
else
  out="$(realpath -m "$1")"
  "$buf" generate --template "$(sed "s#^\( *out:\).*#\1 $out#" buf.gen.yaml)"
fi
