#!/bin/sh
# Run once by compose.yaml's mosquitto-init service, before the broker starts: makes the dynamic security plugin's
# file with its admin account (the password from the mosquitto_admin_password secret), unless it exists already.
# An existing file is never touched: it holds every kiosk account the hub workers made.
set -eu
FILE=/mosquitto/data/dynamic-security.json
if [ -f "$FILE" ]; then
  echo "dynamic security: $FILE exists, kept as it is"
  exit 0
fi
umask 077
mosquitto_ctrl dynsec init "$FILE" admin "$(cat /run/secrets/mosquitto_admin_password)"
# The broker runs as mosquitto (uid 1883) and rewrites this file whenever an account changes.
chown -R mosquitto:mosquitto /mosquitto/data
echo "dynamic security: made $FILE with its admin account"
