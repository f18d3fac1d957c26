#!/usr/bin/env bash
# `npm run distributed`: one process per service over RabbitMQ and PostgreSQL, plus the sandboxes.
# RABBITMQ_URL and DATABASE_URL default to the local servers; scripts/ensure-services.sh starts them.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-deps.mjs
bash scripts/ensure-services.sh
node scripts/build.mjs >/dev/null
exec node --enable-source-maps apps/mesh/dist/distributed.js "$@"
