/**
 * Credentials for a kiosk in a test, got the one honest way: a one-time code made and redeemed through the
 * same enrolment functions the CLI and POST /api/enrol use (hub/fleet/enrolment.ts), against the hub's real
 * fleet registry. There is no flag that lets an unenrolled client in.
 */
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import type { BrokerAccounts } from '../broker/broker-accounts.ts';
import { createEnrolmentCode, redeemEnrolmentCode } from '../fleet/enrolment.ts';
import type { FleetRegistry, KioskMode } from '../fleet/fleet-registry.ts';
import { DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { recordKioskMode } from '../fleet/record-kiosk-mode.ts';
import type { IdentityStore } from '../identity/identity-store.ts';

export interface DeviceCredentials {
  deviceId: string;
  /** MQTT username: the device id. */
  username: string;
  password: string;
  storeId: string;
  regionId: string;
  /** The kiosk's Ed25519 private key (PKCS#8 PEM), whose public half the hub registered: what signs its receipts. */
  privateKeyPem: string;
}

export async function enrolForTest(
  target: { hub: { fleet: FleetRegistry; brokerAccounts?: BrokerAccounts | null; store: { identity: Pick<IdentityStore, 'setDeviceMode' | 'setDeviceStore'> } }; caSha256: string },
  deviceId: string,
  options: { storeId?: string; mode?: KioskMode } = {},
): Promise<DeviceCredentials> {
  const { code } = await createEnrolmentCode(target.hub.fleet, {
    storeId: options.storeId ?? DEMO_STORE_ID,
    mode: options.mode ?? 'attended',
    ttlMs: 60_000,
    deviceId,
    caSha256: target.caSha256,
  });
  const keys = generateKeyPairSync('ed25519');
  const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const grant = await redeemEnrolmentCode(target.hub.fleet, { code, publicKeyPem }, pino({ level: 'silent' }), target.hub.brokerAccounts ?? undefined);
  // What the hub's enrolment endpoint does after redeeming (hub/main.ts): the ledger learns the kiosk's mode.
  await recordKioskMode(target.hub.store.identity, grant);
  return {
    deviceId: grant.deviceId,
    username: grant.deviceId,
    password: grant.mqttSecret,
    storeId: grant.storeId,
    regionId: grant.regionId,
    privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
