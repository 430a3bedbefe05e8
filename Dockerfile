# memberkiosk: one image, two targets. Build with `docker build --target hub .` or `--target device .`.
# Sources run through tsx (no build step), exactly as `npm start` does on a developer machine.
# Node 24, the current LTS line. Development and CI machines run Node 20 (engines: >= 20.19); the native addons
# (better-sqlite3 12, serialport 13, pcsclite) compile against whichever Node the image has.
FROM node:24-bookworm-slim AS base
WORKDIR /app
# better-sqlite3 and the serialport/PC-SC addons compile from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libpcsclite-dev \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY core ./core
COPY hub ./hub
COPY device ./device
COPY drivers ./drivers
COPY flows ./flows
COPY scripts ./scripts
COPY console ./console
COPY tsconfig.json ./
ENV NODE_ENV=production

FROM base AS hub
# Only the TLS listeners: 8883 MQTT over TLS (embedded broker), 8443 console, API and kiosk enrolment. The plain
# listeners stay on the container's loopback. Ledger, fleet, TLS keys and HQ's public key live in the /data volume.
# Give the name kiosks reach the hub by for its certificate: docker run … memberkiosk-hub … --tls-name hub.example
EXPOSE 8883 8443
# The HQ console web app, built into the image (the hub runs as `node` and cannot write /app).
RUN npx tsx scripts/console/build-console.ts
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
ENTRYPOINT ["node", "bin/memberkiosk.mjs", "hub", "--data", "/data/hub", "--tls-host", "0.0.0.0"]
CMD ["--tls-name", "hub"]

FROM base AS device
# pcscd runs on the host (or in a side container) and shares /run/pcscd; serial readers are passed with --device.
RUN apt-get update && apt-get install -y --no-install-recommends libpcsclite1 && rm -rf /var/lib/apt/lists/*
EXPOSE 8080
# The touch screen web app, built into the image (the kiosk runs as `node` and cannot write /app).
RUN npx tsx scripts/screen/build-screen.ts
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# Provision once on the same volume: docker run -v kiosk:/data --entrypoint node IMAGE bin/memberkiosk.mjs
#   provision --hub https://hub:8443 --code MK1-… --data /data/kiosk ; then start with no flags.
ENTRYPOINT ["node", "bin/memberkiosk.mjs", "device", "--data", "/data/kiosk", "--host", "0.0.0.0"]
