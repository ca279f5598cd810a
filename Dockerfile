# syntax=docker/dockerfile:1.7
# RosterHub images, built with `make image`:
#   docker build --target api      -t rosterhub:dev .           # API, worker and the rosterhub CLI
#   docker build --target operator -t rosterhub-operator:dev .  # the RosterHubInstance operator
# Both run `node bin/rosterhub.js <command>` as user 65532 under tini; only production
# dependencies reach them. The base is pinned to an exact Node 24 release (bump it on purpose;
# a registry mirror may add `@sha256:<digest>`, which the Dockerfile test accepts too).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# All dependencies (TypeScript and friends) to compile dist/.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY api ./api
COPY lib ./lib
COPY cli ./cli
COPY operator ./operator
COPY cdk8s ./cdk8s
RUN npx tsc -p tsconfig.build.json

# Production dependencies only: this is the node_modules the final stages receive.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# What both images share: tini as PID 1 (forwards SIGTERM, reaps zombies), no npm; each target
# then switches to user 65532.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
    /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
ENV NODE_ENV=production HOME=/tmp
WORKDIR /app
COPY package.json ./
COPY bin ./bin
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist/api ./dist/api
COPY --from=build /src/dist/cdk8s ./dist/cdk8s
COPY --from=build /src/dist/cli ./dist/cli
COPY --from=build /src/dist/lib ./dist/lib
COPY --from=build /src/dist/operator ./dist/operator
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/rosterhub.js"]

# The operator: /healthz, /readyz and /metrics on 8081 (HEALTH_PORT).
FROM runtime AS operator
USER 65532:65532
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 8081) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["operator"]

# API (`api`), worker (`worker`) and every other rosterhub command. Last, so it is the default.
# `rosterhub backup`/`restore` run pg_dump/pg_restore. By default that is the client of the
# newest PostgreSQL a district may run (17, from the PostgreSQL project's apt repository), which
# dumps 15 to 17 alike. Where that repository cannot be reached, `PG_CLIENT_SOURCE=debian`
# installs Debian's own client instead: bookworm ships 15 (`PG_CLIENT_MAJOR=15`), which serves
# districts on PostgreSQL 15.
FROM runtime AS api
ARG PG_CLIENT_SOURCE=pgdg
ARG PG_CLIENT_MAJOR=17
RUN set -eu; \
  apt-get update; \
  case "${PG_CLIENT_SOURCE}" in \
    pgdg) apt-get install -y --no-install-recommends postgresql-common ca-certificates; \
      /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y; \
      apt-get update ;; \
    debian) ;; \
    *) echo "PG_CLIENT_SOURCE is pgdg or debian, not '${PG_CLIENT_SOURCE}'" >&2; exit 1 ;; \
  esac; \
  apt-get install -y --no-install-recommends postgresql-client-${PG_CLIENT_MAJOR} \
    || { echo "postgresql-client-${PG_CLIENT_MAJOR} is not in ${PG_CLIENT_SOURCE}'s packages (Debian bookworm has 15)" >&2; exit 1; }; \
  rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/${PG_CLIENT_MAJOR}/bin:$PATH
USER 65532:65532
# The API: OneRoster and admin endpoints on 3000 (PORT); /healthz, /readyz, /health and
# /metrics on 8081 (HEALTH_PORT), which no Ingress routes to.
EXPOSE 3000 8081
HEALTHCHECK --interval=30s --timeout=3s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 8081) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["api"]
