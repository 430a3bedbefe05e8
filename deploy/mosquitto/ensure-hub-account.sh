#!/bin/sh
# Run once per `docker compose up` by compose.yaml's broker-accounts service, once the broker is healthy: the hub
# workers' own account on the dynamic security plugin (user `hub`, password from the broker_hub_password secret)
# with a role that may publish and subscribe under memberkiosk/# — what MosquittoDynsecAccounts.ensureHubAccount
# (hub/broker/mosquitto-dynsec-accounts.ts) makes. Kiosk accounts are the hub's business (made on enrolment).
# Idempotent: what exists is left as it is (a password changed in the secret later is changed with
# `mosquitto_ctrl dynsec setClientPassword hub`, by hand, not silently here).
set -eu
ctl() {
  mosquitto_ctrl -h "$MEMBERKIOSK_BROKER_NAME" -p 8883 --cafile /run/secrets/tls_ca \
    -u admin -P "$(cat /run/secrets/mosquitto_admin_password)" dynsec "$@"
}
# mosquitto_ctrl 2.0 exits 0 even when the plugin answers an error: look at the lists, and check again after.
has_role() { ctl listRoles | grep -qx 'memberkiosk-hub'; }
has_client() { ctl listClients | grep -qx 'hub'; }
if ! has_role; then
  ctl createRole memberkiosk-hub
  for acl in publishClientSend publishClientReceive subscribePattern unsubscribePattern; do
    ctl addRoleACL memberkiosk-hub "$acl" 'memberkiosk/#' allow 0
  done
fi
# Shared subscriptions for the hub workers ($share/GROUP/memberkiosk/…: the plugin checks the filter with its prefix).
# Added to a role made before worker mode too; the plugin answers an error (ignored) when it is already there.
ctl addRoleACL memberkiosk-hub subscribePattern '$share/+/memberkiosk/#' allow 0 || true
if ! has_client; then
  ctl createClient hub -p "$(cat /run/secrets/broker_hub_password)"
  ctl addClientRole hub memberkiosk-hub 0
fi
if ! has_role || ! has_client; then
  echo "broker accounts: the hub's role or account could not be made (see above)" >&2
  exit 1
fi
echo "broker accounts: the hub's account and role are there"
