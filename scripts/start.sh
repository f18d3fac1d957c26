#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and runs the whole mesh in embedded mode.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-deps.mjs
node scripts/build.mjs >/dev/null
exec node --max-semi-space-size=32 --enable-source-maps apps/mesh/dist/embedded.js "$@"
