/**
 * Enrolment: HQ makes a one-time code bound to a store (and a kiosk mode), a technician's kiosk redeems it once.
 * The one path every kiosk comes into the fleet by — the HTTPS endpoint, the CLI and the tests' enrolForTest
 * all call these two functions.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { encodeEnrolmentSecret, formatEnrolmentCode, parseEnrolmentCode } from '../../core/fleet/enrolment-code.ts';
import { DEVICE_ID_PATTERN } from '../../core/wire/topics.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { BrokerAccounts } from '../broker/broker-accounts.ts';
import { newDeviceSecret, sha256Hex } from './device-secret.ts';
import type { FleetRegistry, KioskMode } from './fleet-registry.ts';

export const DEFAULT_ENROLMENT_TTL_MS = 24 * 3_600_000;

export interface CreateCodeRequest {
  storeId: string;
  mode: KioskMode;
  ttlMs: number;
  /** A name chosen by HQ for the kiosk; default: the hub names it (kiosk-<random>). */
  deviceId?: string;
  /** SHA-256 hex of the hub's CA certificate, carried in the code. */
  caSha256: string;
  now?: Date;
}

export async function createEnrolmentCode(registry: FleetRegistry, request: CreateCodeRequest): Promise<{ code: string; expiresAt: string }> {
  if (request.deviceId !== undefined && (!DEVICE_ID_PATTERN.test(request.deviceId) || request.deviceId === HQ_DEVICE_ID)) {
    throw new CodedError('DEVICE_ID_INVALID', `'${request.deviceId}' is not a device id (1–64 of A–Z a–z 0–9 _ -, not "hq")`);
  }
  if (!(request.ttlMs > 0)) throw new CodedError('ENROL_TTL_INVALID');
  const now = request.now ?? new Date();
  const secret = encodeEnrolmentSecret(randomBytes(16));
  const expiresAt = new Date(now.getTime() + request.ttlMs).toISOString();
  await registry.addEnrolmentCode({
    codeSha256: sha256Hex(secret),
    storeId: request.storeId,
    mode: request.mode,
    deviceId: request.deviceId ?? null,
    createdAt: now.toISOString(),
    expiresAt,
  });
  return { code: formatEnrolmentCode({ secret, caSha256: request.caSha256 }), expiresAt };
}

export interface EnrolmentGrant {
  deviceId: string;
  /** Shown once, here; the hub keeps its SHA-256. */
  mqttSecret: string;
  storeId: string;
  regionId: string;
  mode: KioskMode;
}

/** `accounts`: a broker that keeps its own accounts (Mosquitto dynsec) gets the kiosk's now, while its secret is in clear. */
export async function redeemEnrolmentCode(registry: FleetRegistry, request: { code: string; publicKeyPem: string; now?: Date }, logger: Logger, accounts?: BrokerAccounts): Promise<EnrolmentGrant> {
  const log = logger.child({ component: 'hub.enrolment' });
  const parsed = parseEnrolmentCode(request.code);
  if (!parsed) {
    log.warn({ code: 'ENROL_CODE_MALFORMED' }, 'enrolment refused: not an enrolment code');
    throw new CodedError('ENROL_CODE_MALFORMED');
  }
  let key;
  try {
    key = createPublicKey(request.publicKeyPem);
  } catch {
    key = null;
  }
  if (key?.asymmetricKeyType !== 'ed25519') throw new CodedError('ENROL_PUBLIC_KEY_INVALID');
  const codeSha256 = sha256Hex(parsed.secret);
  const mqttSecret = newDeviceSecret();
  const outcome = await registry.redeemEnrolmentCode({
    codeSha256,
    now: (request.now ?? new Date()).toISOString(),
    proposedDeviceId: `kiosk-${randomBytes(5).toString('hex')}`,
    mqttSecretSha256: sha256Hex(mqttSecret),
    publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
  });
  // Named by a prefix of the code's hash: enough to find it in the fleet file, useless to redeem it.
  const codeRef = codeSha256.slice(0, 12);
  if (!outcome.ok) {
    log.warn({ code: outcome.code, codeRef, storeId: outcome.record?.storeId, usedByDevice: outcome.record?.usedByDevice }, 'enrolment refused');
    throw new CodedError(outcome.code);
  }
  if (accounts) {
    try {
      await accounts.addDevice({ deviceId: outcome.device.deviceId, storeId: outcome.store.storeId, regionId: outcome.store.regionId }, mqttSecret);
    } catch (error) {
      // A kiosk the broker does not know could never connect: revoked, so its id is not left half-enrolled.
      await registry.revokeDevice(outcome.device.deviceId, new Date().toISOString());
      log.error({ err: error, code: 'BROKER_ACCOUNT_FAILED', deviceId: outcome.device.deviceId, codeRef }, 'enrolment failed: the broker refused the kiosk account');
      throw new CodedError('BROKER_ACCOUNT_FAILED', `the broker did not take the kiosk's account: ${(error as Error).message}`);
    }
  }
  log.info({ codeRef, deviceId: outcome.device.deviceId, storeId: outcome.store.storeId, mode: outcome.device.mode }, 'kiosk enrolled');
  return { deviceId: outcome.device.deviceId, mqttSecret, storeId: outcome.store.storeId, regionId: outcome.store.regionId, mode: outcome.device.mode };
}
