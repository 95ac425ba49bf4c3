# chia-peer-gateway container image.
#   docker build -t chia-peer-gateway .
#   docker run --rm -p 8080:8080 -v chia-gateway-data:/data chia-peer-gateway
# Configuration is by environment variables (see the README's table), e.g. -e CHIA_GATEWAY_NETWORK=testnet11.

# Build stage: install everything, compile TypeScript to dist/, then drop dev dependencies.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY routes ./routes
COPY schemas ./schemas
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies, compiled code and runtime files only; runs as `node`.
FROM node:22-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    CHIA_GATEWAY_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY assets ./assets
COPY public ./public
COPY openapi.yaml ./openapi.yaml
# Generated client certificates live in /data (keys 0600): keep it on a volume so peer ids stay stable.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
# node:22-slim has no curl; Node's fetch checks liveness.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts the graceful shutdown (bounded by CHIA_GATEWAY_SHUTDOWN_TIMEOUT_MS).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/cli.js"]
