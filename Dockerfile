# syntax=docker/dockerfile:1

# ---- build: compile TypeScript (needs the dev dependencies and a C++ toolchain for better-sqlite3)
# Node 22 LTS (Node 20 reached end of life in April 2026).
FROM node:22-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` runs on `npm ci` and skips here (src/ comes next; `npm run build` compiles it).
COPY scripts/prepare.mjs ./scripts/prepare.mjs
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and the compiled output only
FROM node:22-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` finds no TypeScript here (dev dependencies omitted) and keeps the dist/ copied below.
COPY scripts/prepare.mjs ./scripts/prepare.mjs
# better-sqlite3 is native: build it if no prebuilt binary can be fetched, then
# drop the toolchain in the same layer so the image does not keep it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev \
 && npm cache clean --force \
 && apt-get purge -y --auto-remove python3 make g++ \
 && rm -rf /var/lib/apt/lists/* /root/.cache /tmp/*
COPY --from=build /app/dist ./dist
# The dashboard's static files (HTML, CSS, script), served as they are.
COPY web ./web
RUN mkdir -p /data && chown node:node /data
USER node
ENV DATA_DIR=/data
# In a container the network in front decides who reaches it: listen on every interface
# (npm start listens on 127.0.0.1 only).
ENV BIND_ADDRESS=0.0.0.0
VOLUME ["/data"]
# 8080: the REST gateway when HTTP_PORT is set; 9464: /healthz, /readyz, /metrics (OPS_PORT).
EXPOSE 8080 9464
# Ready = NATS connected, the event store answering, projections within READY_MAX_LAG.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPS_PORT || 9464) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main/serve.js"]
