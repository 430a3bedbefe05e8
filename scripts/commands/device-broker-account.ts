/**
 * `memberkiosk devices broker-account DEVICE_ID --credentials FILE --dynsec-admin URL`: gives a kiosk enrolled
 * before the chain moved to Mosquitto (on the embedded broker) its account on Mosquitto's dynamic security plugin,
 * with the grants enrolment gives (hub/broker/mosquitto-dynsec-accounts.ts).
 *
 * Why a file from the kiosk: the hub keeps only the SHA-256 of each kiosk's MQTT secret, so it cannot make the
 * account itself; the technician copies the kiosk's credentials.json off it once. The secret is checked against the
 * fleet's record before anything is sent, so another kiosk's file (or an old one) is refused, and it travels to the
 * broker only over the admin's MQTT connection, never on a command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { secretMatches } from '../../hub/fleet/device-secret.ts';
import type { HubTarget } from './with-fleet.ts';
import { withFleet } from './with-fleet.ts';

const credentialsSchema = z.object({ mqttUsername: z.string().min(1), mqttPassword: z.string().min(1) });

export interface BrokerAccountRequest {
  deviceId: string;
  credentialsFile: string;
  dynsecAdminUrl: string;
  /** A PEM file of the CA of the broker's certificate when it is neither the hub's own nor a public one. */
  brokerCaFile?: string;
}

export async function addKioskBrokerAccount(hub: HubTarget, request: BrokerAccountRequest): Promise<{ storeId: string; regionId: string }> {
  const parsed = credentialsSchema.safeParse(JSON.parse(readFileSync(request.credentialsFile, 'utf8')));
  if (!parsed.success) throw new CodedError('BROKER_ACCOUNT_SECRET_MISMATCH', `${request.credentialsFile} is not a kiosk's credentials.json`);
  const { mqttUsername, mqttPassword } = parsed.data;
  if (mqttUsername !== request.deviceId) throw new CodedError('BROKER_ACCOUNT_SECRET_MISMATCH', `${request.credentialsFile} belongs to ${mqttUsername}, not ${request.deviceId}`);
  const identity = await withFleet(hub, async (fleet) => {
    const device = await fleet.device(request.deviceId);
    if (!device) throw new CodedError('FLEET_UNKNOWN_DEVICE', `no enrolled device ${request.deviceId}`);
    if (device.revokedAt) throw new CodedError('DEVICE_REVOKED', `${request.deviceId} was revoked at ${device.revokedAt}: enrol the machine anew`);
    if (!secretMatches(mqttPassword, device.mqttSecretSha256)) {
      throw new CodedError('BROKER_ACCOUNT_SECRET_MISMATCH', `the secret in ${request.credentialsFile} is not the one ${request.deviceId} was enrolled with`);
    }
    const store = await fleet.store(device.storeId);
    if (!store) throw new CodedError('FLEET_UNKNOWN_STORE', `${request.deviceId}'s store ${device.storeId} is not in the fleet`);
    return { deviceId: device.deviceId, storeId: store.storeId, regionId: store.regionId };
  });
  // What the hub trusts on an external broker (hub/main.ts externalBrokerCas): public roots, its own CA, the chain's.
  const ownCa = join(hub.dataDir, 'tls', 'ca.crt');
  const ca = [...rootCertificates, ...(existsSync(ownCa) ? [readFileSync(ownCa, 'utf8')] : []), ...(request.brokerCaFile ? [readFileSync(request.brokerCaFile, 'utf8')] : [])];
  const { default: pino } = await import('pino');
  const { MosquittoDynsecAccounts } = await import('../../hub/broker/mosquitto-dynsec-accounts.ts');
  const accounts = new MosquittoDynsecAccounts({ url: request.dynsecAdminUrl, ca, logger: pino({ level: 'silent' }) });
  try {
    await accounts.addDevice(identity, mqttPassword);
  } catch (error) {
    throw new CodedError('BROKER_ACCOUNT_FAILED', `Mosquitto did not take ${request.deviceId}'s account: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { storeId: identity.storeId, regionId: identity.regionId };
}
