# A beadflow worker: `docker build -t beadflow .` then `docker run -e TEMPORAL_ADDRESS=... -e DATABASE_URL=... beadflow`.
# Runs TypeScript through tsx, like `npm run worker`; any CLI command works too:
#   docker run --rm -e TEMPORAL_ADDRESS=... beadflow node bin/beadflow.js list --active
FROM node:20-bookworm-slim

# git: commit nodes work in the bead's repository.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY definitions ./definitions
COPY personas ./personas
COPY tsconfig.json ./

# PostgreSQL (the embedded default, if DATABASE_URL is unset) refuses root; so do we.
RUN mkdir -p /app/.beadflow && chown node:node /app/.beadflow
USER node
ENV NODE_ENV=production

# Signals reach node directly (no npm in between), so SIGTERM stops the worker gracefully.
CMD ["node", "--import", "tsx", "src/workers/main.ts"]
