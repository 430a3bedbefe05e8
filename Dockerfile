# memberkiosk: one image, two targets. Build with `docker build --target hub .` or `--target device .`.
# Both run the compiled JavaScript (dist/, `npm run build`) with plain Node through bin/memberkiosk-prod.mjs: no
# TypeScript loader in the running process. TypeScript is a development dependency: the build stage installs
# everything, compiles, then prunes the development dependencies away. `npm start` on a developer machine runs
# the sources through tsx instead.
# Node 24, the current LTS line. Development and CI machines run Node 20 (engines: >= 20.19); the native addons
# (better-sqlite3 12, serialport 13, pcsclite) compile against whichever Node the image has.
FROM node:24-bookworm-slim AS base
WORKDIR /app
# better-sqlite3 and the serialport/PC-SC addons compile from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libpcsclite-dev \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# With the development dependencies: tsc compiles below; pruned once it has.
RUN npm ci --no-audit --no-fund
COPY bin ./bin
COPY core ./core
COPY hub ./hub
COPY device ./device
COPY drivers ./drivers
COPY flows ./flows
COPY scripts ./scripts
COPY console ./console
COPY tsconfig.json tsconfig.build.json ./
# The compiled code (type-checked: a build with a type error replaces nothing and fails the image), then only
# the runtime dependencies. The sources stay: the compiled code's source maps point at them, and
# bin/memberkiosk-prod.mjs checks that the build is not older than they are.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund
ENV NODE_ENV=production

FROM base AS hub
# Only the TLS listeners: 8883 MQTT over TLS (embedded broker), 8443 console, API and kiosk enrolment. The plain
# listeners stay on the container's loopback. Ledger, fleet, TLS keys and HQ's public key live in the /data volume.
# Give the name kiosks reach the hub by for its certificate: docker run … memberkiosk-hub … --tls-name hub.example
EXPOSE 8883 8443
# The HQ console web app, built into the image (the hub runs as `node` and cannot write /app); Vite is a runtime
# dependency, so the compiled build script runs it.
RUN node dist/scripts/console/build-console.js
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
ENTRYPOINT ["node", "bin/memberkiosk-prod.mjs", "hub", "--data", "/data/hub", "--tls-host", "0.0.0.0"]
CMD ["--tls-name", "hub"]

FROM base AS device
# pcscd runs on the host (or in a side container) and shares /run/pcscd; serial readers are passed with --device.
RUN apt-get update && apt-get install -y --no-install-recommends libpcsclite1 && rm -rf /var/lib/apt/lists/*
EXPOSE 8080
# The touch screen web app, built into the image (the kiosk runs as `node` and cannot write /app).
RUN node dist/scripts/screen/build-screen.js
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# Provision once on the same volume: docker run -v kiosk:/data --entrypoint node IMAGE bin/memberkiosk-prod.mjs
#   provision --hub https://hub:8443 --code MK1-… --data /data/kiosk ; then start with no flags.
ENTRYPOINT ["node", "bin/memberkiosk-prod.mjs", "device", "--data", "/data/kiosk", "--host", "0.0.0.0"]
