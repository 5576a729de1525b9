# syntax=docker/dockerfile:1
# Hookport's container: the build stage packs @hookport/server exactly as test/src/server.pack.test.ts
# does (`pnpm --filter @hookport/server pack`, whose prepack compiles dist/); the runtime stage installs
# that tarball with npm, production dependencies only: no pnpm, no TypeScript, no workspace sources.
# docs/deploy.md describes it; compose.yaml runs it with PostgreSQL.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# The pnpm version pinned in package.json's packageManager field.
COPY package.json ./
RUN npm install --global --no-audit --no-fund "$(node -p 'require("./package.json").packageManager.split("+")[0]')"
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile
RUN mkdir /pack \
 && pnpm --filter @hookport/server pack --pack-destination /pack \
 && mv /pack/hookport-server-*.tgz /pack/hookport-server.tgz

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    HOOKPORT_DATA_DIR=/data
WORKDIR /app
COPY --from=build /pack/hookport-server.tgz /tmp/hookport-server.tgz
RUN npm install --omit=dev --no-audit --no-fund /tmp/hookport-server.tgz \
 && rm /tmp/hookport-server.tgz \
 && npm cache clean --force \
 && mkdir /data \
 && chown node:node /data
# The embedded database (no DATABASE_URL) keeps its files, key and admin token here.
VOLUME /data
USER node
EXPOSE 8080
# /ready answers 200 once the database answers (503 otherwise); fetch is built into node, the image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The bin's own V8 flags (server/bin/hookport.js, first line), passed here as the root scripts pass them:
# node as the entrypoint receives SIGTERM itself and stops gracefully.
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "/app/node_modules/@hookport/server/bin/hookport.js"]
CMD ["serve"]
