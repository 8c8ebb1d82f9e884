# Hanggent API image: the gateway (Bun, installed from npm like everything else) with the dashboard prebuilt.
#   docker build -t hanggent-api .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:admin && npm prune --omit=dev --no-audit --no-fund \
 && npm install --no-save --no-audit --no-fund bun@$(node -p "require('./package.json').devDependencies.bun")

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node_modules/.bin/bun", "core/main.ts"]
