#!/usr/bin/env bash
# `npm run bench -- <name>`: benchmarks are never part of the tests; they print figures.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-deps.mjs
bash scripts/ensure-services.sh
node scripts/build.mjs >/dev/null
exec node --enable-source-maps apps/bench/dist/main.js "$@"
