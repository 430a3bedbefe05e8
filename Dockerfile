# memberkiosk: one image, two targets. Build with `docker build --target hub .` or `--target device .`;
# deploy/compose.yaml builds the hub target for its workers.
# Both run the compiled JavaScript (dist/, `npm run build`) with plain Node through bin/memberkiosk-prod.mjs: no
# TypeScript loader in the running process. TypeScript is a development dependency: the build stage installs
# everything, compiles, then prunes the development dependencies away; the runtime stage takes the result without
# the compilers and headers the native addons were built with. `npm start` on a developer machine runs the sources
# through tsx instead.
# Node 24, the current LTS line. Development and CI machines run Node 20 (engines: >= 20.19); the native addons
# (better-sqlite3 12, serialport 13, pcsclite) compile against whichever Node the image has.
FROM node:24-bookworm-slim AS build
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
# bin/memberkiosk-prod.mjs checks that the build is not older than they are (COPY --from keeps modification times).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# What both targets run: the pruned application, without python3, make, g++ and the -dev headers of the build
# stage (a compiler in a production image is one more thing an intruder can use, and ~250 MB).
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
# The data volume's mount point, owned by the user the targets run as: a new named volume takes this owner.
RUN mkdir -p /data && chown node:node /data

FROM runtime AS hub
# Only the TLS listeners: 8883 MQTT over TLS (the embedded broker; with --broker, as in deploy/compose.yaml, the
# kiosks use the external broker and this port stays unused), 8443 console, API and kiosk enrolment. The plain
# listeners stay on the container's loopback. Ledger, fleet, TLS keys and HQ's public key live in the /data volume.
# Give the name kiosks reach the hub by for its certificate: docker run … memberkiosk-hub … --tls-name hub.example
EXPOSE 8883 8443
# The HQ console web app, built into the image (the hub runs as `node` and cannot write /app); Vite is a runtime
# dependency, so the compiled build script runs it.
RUN node dist/scripts/console/build-console.js
VOLUME ["/data"]
USER node
# GET /api/health on the plain listener (the container's loopback, no login): 503 while the hub has lost its
# broker or its ledger. The start period covers the first start's certificate and schema migrations.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8800/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/memberkiosk-prod.mjs", "hub", "--data", "/data/hub", "--tls-host", "0.0.0.0"]
CMD ["--tls-name", "hub"]

FROM runtime AS device
# pcscd runs on the host (or in a side container) and shares /run/pcscd; serial readers are passed with --device.
# The PC/SC addon needs the client library at run time (its -dev package stayed in the build stage).
RUN apt-get update && apt-get install -y --no-install-recommends libpcsclite1 && rm -rf /var/lib/apt/lists/*
EXPOSE 8080
# The touch screen web app, built into the image (the kiosk runs as `node` and cannot write /app).
RUN node dist/scripts/screen/build-screen.js
VOLUME ["/data"]
USER node
# Provision once on the same volume: docker run -v kiosk:/data --entrypoint node IMAGE bin/memberkiosk-prod.mjs
#   provision --hub https://hub:8443 --code MK1-… --data /data/kiosk ; then start with no flags.
ENTRYPOINT ["node", "bin/memberkiosk-prod.mjs", "device", "--data", "/data/kiosk", "--host", "0.0.0.0"]
