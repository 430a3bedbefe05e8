/**
 * `memberkiosk provision`: enrols this kiosk with a hub using a one-time code. Pins the hub's CA from the code,
 * makes the kiosk's own Ed25519 key pair (the private key never leaves the data directory), redeems the code
 * over verified TLS and stores what the hub answered (stored-provisioning.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { CodedError } from '../../core/errors/coded-error.ts';
import { parseEnrolmentCode } from '../../core/fleet/enrolment-code.ts';
import { fetchPinnedHubCa } from './fetch-pinned-hub-ca.ts';
import { requestEnrolment } from './request-enrolment.ts';
import { isProvisioned, writeProvisioning, type StoredProvisioning } from './stored-provisioning.ts';

export async function provisionKiosk(options: { hubUrl: string; code: string; dataDir: string }): Promise<StoredProvisioning> {
  if (isProvisioned(options.dataDir)) throw new CodedError('PROVISIONING_EXISTS', `${options.dataDir} already holds a provisioned kiosk; use an empty data directory`);
  const code = parseEnrolmentCode(options.code);
  if (!code) throw new CodedError('ENROL_CODE_MALFORMED');
  const hub = new URL(options.hubUrl);
  if (hub.protocol !== 'https:') throw new CodedError('ENROL_HUB_UNREACHABLE', `enrolment goes over TLS only: --hub https://HOST:PORT, not ${hub.protocol}`);
  const caPem = await fetchPinnedHubCa(hub, code.caSha256);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const answer = await requestEnrolment(hub, caPem, { code: options.code.trim(), publicKeyPem });
  // The broker on the host the technician reached the hub by (and verified), unless the hub names another.
  const brokerUrl = answer.brokerUrl ?? (answer.mqttTlsPort !== null ? `mqtts://${hub.hostname}:${answer.mqttTlsPort}` : null);
  if (!brokerUrl) throw new CodedError('ENROL_HUB_REFUSED', 'the hub named no broker for kiosks');
  const stored: StoredProvisioning = {
    deviceId: answer.deviceId,
    storeId: answer.storeId,
    regionId: answer.regionId,
    mode: answer.mode,
    brokerUrl,
    hubUrl: hub.origin,
    baseTopic: answer.baseTopic,
    enrolledAt: new Date().toISOString(),
    mqttUsername: answer.deviceId,
    mqttPassword: answer.mqttSecret,
    caPem: answer.caPem,
    hqRootPublicKeyPem: answer.hqRootPublicKeyPem,
  };
  writeProvisioning(options.dataDir, { ...stored, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem });
  return stored;
}
