# syntax=docker/dockerfile:1
# One image per service, all from this file:
#   docker build --build-arg SERVICE=inventory -t retail-mesh-inventory .
# The build stage compiles the workspace libraries and the one service with SWC, then keeps only
# production dependencies; the runtime stage holds compiled JavaScript, node_modules, the
# .proto files (services load them at start from <repo>/proto) and nothing else. It runs as a
# non-root user and never writes outside /tmp, so the root filesystem can be read-only.

# Node 20: the runtime the workspace is built and tested with (docs/adr/0001).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE
# better-sqlite3 (a dependency of the embedded mode) compiles from source when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN test -n "${SERVICE}" && test -f "services/${SERVICE}/src/main.ts" \
 || { echo "build with --build-arg SERVICE=<name>, one of: $(ls services | tr '\n' ' ')" >&2; exit 1; }
RUN npm ci --no-audit --no-fund
RUN node scripts/build.mjs libs/* "services/${SERVICE}"
RUN npm prune --omit=dev --no-audit --no-fund
# What the service needs at run time, in the repository's layout: the workspace symlinks in
# node_modules/@retail-mesh resolve to libs/*/ and services/<SERVICE>/ (each with its package.json
# for the exports map); links to the other projects would dangle, so they go.
RUN mkdir -p /out/libs "/out/services/${SERVICE}" \
 && cp -a package.json node_modules proto /out/ \
 && for lib in libs/*; do mkdir -p "/out/${lib}" && cp -a "${lib}/package.json" "${lib}/dist" "/out/${lib}/"; done \
 && cp -a "services/${SERVICE}/package.json" "services/${SERVICE}/dist" "/out/services/${SERVICE}/" \
 && find /out/node_modules -xtype l -delete

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production
# A young generation twice V8's default: the services allocate fast and briefly (messages, rows,
# protobufs), and scavenges of a small one cost a tenth of their CPU (docs/adr/0010).
ENV NODE_OPTIONS="--max-semi-space-size=32"
LABEL org.opencontainers.image.title="retail-mesh-${SERVICE}" \
      org.opencontainers.image.source="https://github.com/retail-mesh/retail-mesh"
# Owned by root and not writable by the service's user: the code cannot be changed at run time.
COPY --from=build /out /app
WORKDIR /app/services/${SERVICE}
# The image's `node` user (uid 1000), by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# Exec form: node is PID 1 and receives SIGTERM itself (the services shut down gracefully on it).
CMD ["node", "--enable-source-maps", "dist/main.js"]
