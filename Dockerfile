# A beadflow worker: `docker build -t beadflow .` then
#   docker run --rm -e TEMPORAL_ADDRESS=... -e DATABASE_URL=... beadflow
# Any CLI command works too: docker run --rm -e TEMPORAL_ADDRESS=... beadflow node bin/beadflow.js list --active
# TypeScript runs through tsx (the project has no compile step); the workflow bundle is built here,
# so a worker does not run webpack at start.
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY definitions ./definitions
COPY personas ./personas
COPY tsconfig.json ./
# Both bundles (plain and with tracing interceptors), keyed by the sources and package versions.
ENV BEADFLOW_BUNDLE_CACHE=/app/bundles
RUN npm run --silent bundle && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
# git: a turn checks out the bead's recorded commit and pushes its work; tini: PID 1 that reaps
# agents' orphaned children and forwards signals, also under a plain `docker run`.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates openssh-client tini \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
  BEADFLOW_BUNDLE_CACHE=/app/bundles \
  BEADFLOW_METRICS_PORT=9464
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
COPY --from=build /app/definitions ./definitions
COPY --from=build /app/personas ./personas
COPY --from=build /app/tsconfig.json ./
COPY --from=build /app/bundles ./bundles
# The shipped bundle must be the one this tree asks for; a mismatch would rebuild it at every start.
RUN out="$(node --import tsx src/workers/bundle.ts)" && echo "$out" && ! echo "$out" | grep -q '^built:'

# PostgreSQL (the embedded default, if DATABASE_URL is unset) refuses root; so do we.
RUN mkdir -p /app/.beadflow && chown node:node /app/.beadflow
USER node
EXPOSE 9464

# The worker process is up and its metrics server (BEADFLOW_METRICS_PORT) answers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.BEADFLOW_METRICS_PORT || 9464) + '/metrics').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# -s: a subreaper too when compose's `init: true` already runs an init as PID 1.
ENTRYPOINT ["/usr/bin/tini", "-s", "--"]
CMD ["node", "--import", "tsx", "src/workers/main.ts"]
