# Hanggent API image: the gateway on Bun, production dependencies only, the dashboard prebuilt.
#   docker build -t hanggent-api .
# `bun scripts/measure-image.ts` replays these steps without a Docker engine and measures the result,
# so keep the build stage's RUN lines relative to WORKDIR, and COPY --from the only way files reach
# the runtime stage.

# Build stage: Node runs npm and Vite (Node version: package.json "engines").
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The plugin SDK is a workspace package: npm ci links it into node_modules/@hanggent/plugin-sdk.
COPY packages/plugin-sdk/package.json ./packages/plugin-sdk/package.json
# npm ci's postinstall applies patches/ (patch-package): fixes in dependencies not yet released upstream.
COPY patches ./patches
# ...and makes the embedded database's cluster template (node_modules/.cache/hanggent-api, kept by the
# prune and copied with node_modules): a container's first start on an empty /data loads it instead of
# running initdb, which peaks near 1 GB of RSS (docs/memory.md). The script needs only these two files.
COPY scripts/make-pglite-template.ts ./scripts/make-pglite-template.ts
COPY core/db/pglite-template.ts ./core/db/pglite-template.ts
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:admin
# Bun, the runtime, is the dev dependency the tests run on (one version, pinned by package-lock.json);
# npm installed its binary for this platform. Keep it aside before the prune removes it.
RUN mkdir -p .runtime && cp node_modules/bun/bin/bun.exe .runtime/bun
# The prune keeps what production packages name as peers: typescript (a peer of @elysiajs/openapi, loaded
# only by its type generator, which the gateway never calls) and Bun's and Node's type declarations (a
# peer of elysia). Types are no runtime code: removed by name.
# --omit=optional: the official OpenAI, Anthropic and Google SDKs are dev dependencies that the plugin SDK
# names as optional peers (its conformance kit drives them), so npm marks them, and everything they pull
# in, "devOptional" and keeps them under --omit=dev alone. The only other optional package is piscina's
# thread-priority helper @napi-rs/nice, used only with its niceIncrement option, which the gateway never sets.
RUN npm prune --omit=dev --omit=optional --no-audit --no-fund \
 && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver node_modules/@types node_modules/bun-types node_modules/undici-types

# Runtime stage: the build stage's Debian release (Bun's glibc matches), without Node or npm.
FROM debian:bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin hanggent \
 && mkdir -p /data && chown hanggent:hanggent /data
COPY --from=build /app/.runtime/bun /usr/local/bin/bun
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/core ./core
COPY --from=build /app/plugins ./plugins
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/admin/dist ./admin/dist
# Application files stay root's (read-only to the gateway); only /data is writable.
USER hanggent
EXPOSE 3000
VOLUME ["/data"]
# Liveness (the process serves HTTP). docker-compose.yml overrides it with /ready for its replicas, and the
# Kubernetes manifests probe both (deploy/kubernetes/deployment.yaml).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "core/main.ts"]
