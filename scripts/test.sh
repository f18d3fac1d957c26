#!/usr/bin/env bash
# `npm test`: installs what is missing, starts RabbitMQ and PostgreSQL when needed, builds,
# then runs every test tier with vitest: unit (with the static checks) and integration first,
# then the end-to-end flows on their own, since they start whole meshes and restart the broker.
set -uo pipefail
cd "$(dirname "$0")/.."

node scripts/ensure-deps.mjs || exit 1
bash scripts/ensure-services.sh || exit 1
bash scripts/install-tools.sh || exit 1
node scripts/build.mjs || exit 1
rm -rf .test-results && mkdir -p .test-results

status=0
npx vitest run --project unit --project int --outputFile.json=.test-results/unit-int.json "$@" || status=1
npx vitest run --project e2e --outputFile.json=.test-results/e2e.json --passWithNoTests "$@" || status=1
node scripts/summarize-tests.mjs .test-results
exit $status
