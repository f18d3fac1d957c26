#!/usr/bin/env bash
# `npm test`: installs what is missing, starts RabbitMQ and PostgreSQL when needed, builds,
# then runs every test tier (unit, int, e2e, static checks) with vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

node scripts/ensure-deps.mjs
bash scripts/ensure-services.sh
node scripts/build.mjs
mkdir -p .test-results
rm -f .test-results/vitest.json
npx vitest run "$@"
