/**
 * What enrolment leaves in the kiosk's data directory, so `memberkiosk device --data DIR` starts with no other
 * flags:
 *   provisioning.json   device id, store, region, mode, broker URL, hub URL (nothing secret)
 *   credentials.json    the MQTT username and secret (mode 0600)
 *   hub-ca.crt          the hub's CA (the only CA the kiosk trusts for MQTT over TLS)
 *   hq-root.pub         HQ's root public key, pinned at enrolment (absent if the hub had none)
 *   device.key          the kiosk's own Ed25519 private key (mode 0600); device.pub its public key
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';

export const PROVISIONING_FILE = 'provisioning.json';
export const CREDENTIALS_FILE = 'credentials.json';
export const HUB_CA_FILE = 'hub-ca.crt';
export const HQ_ROOT_FILE = 'hq-root.pub';
export const DEVICE_KEY_FILE = 'device.key';
export const DEVICE_PUBLIC_KEY_FILE = 'device.pub';

const provisioningSchema = z.object({
  deviceId: z.string(),
  storeId: z.string(),
  regionId: z.string(),
  mode: z.enum(['attended', 'unattended']),
  brokerUrl: z.string(),
  hubUrl: z.string(),
  baseTopic: z.string(),
  enrolledAt: z.string(),
});
const credentialsSchema = z.object({ mqttUsername: z.string(), mqttPassword: z.string() });

export type Provisioning = z.infer<typeof provisioningSchema>;

export interface StoredProvisioning extends Provisioning {
  mqttUsername: string;
  mqttPassword: string;
  caPem: string;
  hqRootPublicKeyPem: string | null;
}

export function isProvisioned(dataDir: string): boolean {
  return existsSync(join(dataDir, PROVISIONING_FILE));
}

export function writeProvisioning(dataDir: string, p: StoredProvisioning & { privateKeyPem: string; publicKeyPem: string }): void {
  mkdirSync(dataDir, { recursive: true });
  // Secrets first, each created with its mode (not chmod-ed after a window at 0644).
  writeSecret(join(dataDir, DEVICE_KEY_FILE), p.privateKeyPem);
  writeSecret(join(dataDir, CREDENTIALS_FILE), `${JSON.stringify({ mqttUsername: p.mqttUsername, mqttPassword: p.mqttPassword }, null, 2)}\n`);
  writeFileSync(join(dataDir, DEVICE_PUBLIC_KEY_FILE), p.publicKeyPem);
  writeFileSync(join(dataDir, HUB_CA_FILE), p.caPem);
  if (p.hqRootPublicKeyPem) writeFileSync(join(dataDir, HQ_ROOT_FILE), p.hqRootPublicKeyPem);
  const record: Provisioning = {
    deviceId: p.deviceId,
    storeId: p.storeId,
    regionId: p.regionId,
    mode: p.mode,
    brokerUrl: p.brokerUrl,
    hubUrl: p.hubUrl,
    baseTopic: p.baseTopic,
    enrolledAt: p.enrolledAt,
  };
  // Last: its presence says the rest is there.
  writeFileSync(join(dataDir, PROVISIONING_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export function readProvisioning(dataDir: string): StoredProvisioning {
  if (!isProvisioned(dataDir)) throw new CodedError('PROVISIONING_MISSING', `no ${PROVISIONING_FILE} in ${dataDir}: run memberkiosk provision --hub https://HUB:8443 --code CODE --data ${dataDir}`);
  const record = provisioningSchema.parse(JSON.parse(readFileSync(join(dataDir, PROVISIONING_FILE), 'utf8')));
  const credentials = credentialsSchema.parse(JSON.parse(readFileSync(join(dataDir, CREDENTIALS_FILE), 'utf8')));
  const rootPath = join(dataDir, HQ_ROOT_FILE);
  return {
    ...record,
    ...credentials,
    caPem: readFileSync(join(dataDir, HUB_CA_FILE), 'utf8'),
    hqRootPublicKeyPem: existsSync(rootPath) ? readFileSync(rootPath, 'utf8') : null,
  };
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
