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
COPY tsconfig.json ./
ENV NODE_ENV=production

FROM base AS hub
# 1883: MQTT (embedded broker); 8800: console and admin API. The ledger lives in the /data volume.
EXPOSE 1883 8800
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
CMD ["node", "bin/memberkiosk.mjs", "hub", "--data", "/data/hub", "--mqtt-host", "0.0.0.0", "--http-host", "0.0.0.0"]

FROM base AS device
# pcscd runs on the host (or in a side container) and shares /run/pcscd; serial readers are passed with --device.
RUN apt-get update && apt-get install -y --no-install-recommends libpcsclite1 && rm -rf /var/lib/apt/lists/*
EXPOSE 8080
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
ENTRYPOINT ["node", "bin/memberkiosk.mjs", "device", "--data", "/data/kiosk", "--host", "0.0.0.0"]
CMD ["--hub", "mqtt://hub:1883", "--id", "kiosk-001", "--store", "store-001"]
