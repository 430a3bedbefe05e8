/**
 * Who a connecting MQTT client is. A kiosk logs in with username = client id = its enrolled device id and the
 * 256-bit secret it got at enrolment; the fleet holds the secret's SHA-256, compared in constant time. Read
 * from the fleet on every login, so a revocation written by the CLI into fleet.sqlite counts at the next one.
 *
 * The client id is the identity and nothing else: no wildcard or `/` (a client named `+` or `kiosk-1/tx` once
 * read every kiosk's traffic or forged results), not the reserved "hq", and never another kiosk's.
 */
import type { ScopedIdentity } from '../../core/wire/config-scopes.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import { DEVICE_ID_PATTERN } from '../../core/wire/topics.ts';
import { secretMatches } from '../fleet/device-secret.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';

export type DeviceLoginRefusal = 'anonymous' | 'bad_client_id' | 'reserved_client_id' | 'username_not_client_id' | 'unknown_device' | 'revoked' | 'wrong_secret' | 'unknown_store';

export type DeviceLogin = { ok: true; identity: ScopedIdentity } | { ok: false; refusal: DeviceLoginRefusal };

/** MQTT 3.1.1 CONNACK codes: 2 identifier rejected, 4 bad user name or password, 5 not authorised. */
export const CONNACK_CODE: Record<DeviceLoginRefusal, 2 | 4 | 5> = {
  anonymous: 4,
  bad_client_id: 2,
  reserved_client_id: 2,
  username_not_client_id: 4,
  unknown_device: 4,
  wrong_secret: 4,
  revoked: 5,
  unknown_store: 5,
};

export async function authenticateDevice(fleet: Pick<FleetRegistry, 'device' | 'store'>, clientId: string, username: string | undefined, password: Buffer | undefined): Promise<DeviceLogin> {
  if (!DEVICE_ID_PATTERN.test(clientId)) return { ok: false, refusal: 'bad_client_id' };
  if (clientId === HQ_DEVICE_ID) return { ok: false, refusal: 'reserved_client_id' };
  if (username === undefined || password === undefined || password.length === 0) return { ok: false, refusal: 'anonymous' };
  if (username !== clientId) return { ok: false, refusal: 'username_not_client_id' };
  const device = await fleet.device(clientId);
  if (!device) return { ok: false, refusal: 'unknown_device' };
  if (!secretMatches(password, device.mqttSecretSha256)) return { ok: false, refusal: 'wrong_secret' };
  // After the secret: whether an id is revoked is told only to its holder.
  if (device.revokedAt) return { ok: false, refusal: 'revoked' };
  const store = await fleet.store(device.storeId);
  if (!store) return { ok: false, refusal: 'unknown_store' };
  return { ok: true, identity: { deviceId: device.deviceId, storeId: store.storeId, regionId: store.regionId } };
}
