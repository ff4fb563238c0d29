# syntax=docker/dockerfile:1
# rostersync: compile with the dev toolchain, run with production dependencies only.
# The Node major here is also the one CI runs the test suite under (.ci/run).

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config/example.yaml config/schema.json ./config/
# Mounted at run time: the config at /etc/rostersync/config.yaml (daemon.http.host: 0.0.0.0), secrets
# as files named by its *File keys (apiSecretFile, bindPasswordFile, clientSecretFile, tokenFile).
USER node
EXPOSE 8080
# /healthz needs no token; the probe runs inside the container, so a loopback bind works too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTHCHECK_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["run", "--config", "/etc/rostersync/config.yaml"]
