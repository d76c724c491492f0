# marcgate in a container (docs/operations.md, "Install with Docker").
#   docker build -t marcgate .
#   docker run -d --init --name marcgate -p 5500:5500 -p 127.0.0.1:8080:8080 -v marcgate-data:/data marcgate
# The catalog is in the /data volume (SQLite), or PostgreSQL: -e MARCGATE_DB_URL=postgres://….
# Any serve setting is a MARCGATE_* variable, or a file: -v ./marcgate.toml:/etc/marcgate/marcgate.toml:ro
# with MARCGATE_CONFIG=/etc/marcgate/marcgate.toml. Tested by test/packaging/docker.test.ts
# when `docker info` works.

# Build: TypeScript compiled, better-sqlite3 built for this image's Node, dev dependencies dropped.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN npx tsc -p tsconfig.json \
 && npm rebuild better-sqlite3 \
 && npm prune --omit=dev --no-audit --no-fund

# Run: Node, the compiled command and its runtime dependencies, as an unprivileged user.
FROM node:20-bookworm-slim
RUN groupadd --system marcgate \
 && useradd --system --gid marcgate --home-dir /data --shell /usr/sbin/nologin marcgate \
 && install -d -o marcgate -g marcgate -m 0750 /data
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist/src ./dist/src
COPY samples ./samples
ENV NODE_ENV=production \
    MARCGATE_DATA_DIR=/data \
    MARCGATE_HTTP_HOST=0.0.0.0 \
    MARCGATE_Z3950_PORT=0
# HTTP on every address of the container: publish it on the host's loopback (-p 127.0.0.1:8080:8080)
# behind a TLS proxy. No Z39.50 (Simple2ZOOM is not in the image).
USER marcgate
VOLUME ["/data"]
EXPOSE 5500 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MARCGATE_HTTP_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/app/bin/marcgate.js"]
CMD ["serve"]
