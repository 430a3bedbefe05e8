#!/bin/sh
# The entrypoint of a hub worker in compose.yaml: reads the secrets compose mounts under /run/secrets and starts
# `memberkiosk hub` on PostgreSQL and Mosquitto. Extra arguments (the service's `command:`) are appended.
#
# Why a script: the hub takes its broker and dynsec passwords only inside the --broker / --dynsec-admin URLs, and
# the compose file must not hold them. Read here, they never appear in compose.yaml, `docker inspect` or the
# image. They do appear in the hub process's arguments (visible to `ps` on the host) until the hub reads them
# from a file or the environment itself. PostgreSQL's password goes through PGPASSWORD, which node-postgres reads
# (the environment of a process is readable only by its user and root, unlike its arguments).
set -eu
secret() { cat "/run/secrets/$1"; }
url_escape() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"; }

PGPASSWORD="$(secret postgres_password)"
export PGPASSWORD
MEMBERKIOSK_METRICS_TOKEN="$(secret metrics_token)"
export MEMBERKIOSK_METRICS_TOKEN
if [ -f /run/secrets/node_red_secret ]; then
  MEMBERKIOSK_NODE_RED_SECRET="$(secret node_red_secret)"
  export MEMBERKIOSK_NODE_RED_SECRET
fi
BROKER_PASSWORD="$(url_escape "$(secret broker_hub_password)")"
ADMIN_PASSWORD="$(url_escape "$(secret mosquitto_admin_password)")"

# --worker: one of several workers on one database and broker, named by the service (docs/OPERATIONS.md,
# "Several hub workers"); the name must be unique and the same across restarts.
exec node bin/memberkiosk-prod.mjs hub \
  --worker "${MEMBERKIOSK_HUB_ID:?set MEMBERKIOSK_HUB_ID for each worker service}" \
  --data /data/hub \
  --db "postgres://memberkiosk@postgres:5432/memberkiosk" \
  --broker "mqtts://hub:${BROKER_PASSWORD}@${MEMBERKIOSK_BROKER_NAME}:8883" \
  --broker-ca /run/secrets/tls_ca \
  --dynsec-admin "mqtts://admin:${ADMIN_PASSWORD}@${MEMBERKIOSK_BROKER_NAME}:8883" \
  --kiosk-broker "mqtts://${MEMBERKIOSK_BROKER_NAME}:8883" \
  --tls-host 0.0.0.0 \
  --tls-cert /run/secrets/hub_tls_chain --tls-key /run/secrets/hub_tls_key --tls-ca /run/secrets/tls_ca \
  "$@"
