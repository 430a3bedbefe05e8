/**
 * `memberkiosk devices broker-account`: a kiosk enrolled on the embedded broker gets its account on a real Mosquitto
 * with the dynamic security plugin, from its own credentials.json — and only from its own.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { createEnrolmentCode, redeemEnrolmentCode } from '../../hub/fleet/enrolment.ts';
import { openFleetRegistry } from '../../hub/fleet/open-fleet-registry.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../../hub/testing/start-mosquitto-dynsec.ts';
import { memberkiosk } from './test-support/run-memberkiosk.ts';
import { seededHubDataDir, type SeededHubDataDir } from './test-support/seeded-hub-data-dir.ts';

const topics = createTopics();
const publicKeyPem = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('memberkiosk devices broker-account (real process, real Mosquitto with dynamic security)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let data: SeededHubDataDir;
  let broker: DynsecMosquitto;

  beforeEach(async () => {
    temp = makeTempDir('mk-broker-account-');
    data = await seededHubDataDir('mk-broker-account-hub-');
    broker = await startMosquittoDynsec();
  });

  afterEach(async () => {
    await broker.stop();
    data.cleanup();
    temp.cleanup();
  });

  /** Two kiosks enrolled in a hub's fleet.sqlite (as on the embedded broker); their credentials.json as kiosks keep them. */
  async function enrolTwo(hubDir: string): Promise<Record<string, { file: string; secret: string }>> {
    const fleet = await openFleetRegistry(hubDir);
    const out: Record<string, { file: string; secret: string }> = {};
    try {
      await fleet.addRegion({ regionId: 'east', name: '华东' });
      await fleet.addStore({ storeId: 'store-7', name: '静安店', regionId: 'east' });
      for (const deviceId of ['kiosk-a', 'kiosk-b']) {
        const { code } = await createEnrolmentCode(fleet, { storeId: 'store-7', mode: 'attended', ttlMs: 60_000, caSha256: 'A'.repeat(64), deviceId });
        const grant = await redeemEnrolmentCode(fleet, { code, publicKeyPem: publicKeyPem() }, pino({ level: 'silent' }));
        const file = join(temp.dir, `${deviceId}-credentials.json`);
        writeFileSync(file, JSON.stringify({ mqttUsername: deviceId, mqttPassword: grant.mqttSecret }));
        out[deviceId] = { file, secret: grant.mqttSecret };
      }
    } finally {
      await fleet.close();
    }
    return out;
  }

  it('refuses another kiosk’s credentials and an unknown device, then makes the account with exactly the kiosk’s grants', async () => {
    const hubDir = data.hub;
    const kiosks = await enrolTwo(hubDir);
    const admin = broker.adminUrl;
    // Not the kiosk's own file: nothing reaches the broker.
    const wrong = memberkiosk('devices', 'broker-account', 'kiosk-a', '--credentials', kiosks['kiosk-b']!.file, '--dynsec-admin', admin, '--data', hubDir);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('BROKER_ACCOUNT_SECRET_MISMATCH');
    writeFileSync(join(temp.dir, 'forged.json'), JSON.stringify({ mqttUsername: 'kiosk-a', mqttPassword: 'guessed' }));
    const forged = memberkiosk('devices', 'broker-account', 'kiosk-a', '--credentials', join(temp.dir, 'forged.json'), '--dynsec-admin', admin, '--data', hubDir);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain('BROKER_ACCOUNT_SECRET_MISMATCH');
    const unknown = memberkiosk('devices', 'broker-account', 'kiosk-z', '--credentials', kiosks['kiosk-a']!.file, '--dynsec-admin', admin, '--data', hubDir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/BROKER_ACCOUNT_SECRET_MISMATCH|FLEET_UNKNOWN_DEVICE/);
    await expect(mqtt.connectAsync(broker.url('kiosk-a', kiosks['kiosk-a']!.secret), { clientId: 'kiosk-a', reconnectPeriod: 0, connectTimeout: 3_000 })).rejects.toThrow();

    const made = memberkiosk('devices', 'broker-account', 'kiosk-a', '--credentials', kiosks['kiosk-a']!.file, '--dynsec-admin', admin, '--data', hubDir);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('device kiosk-a has its account on Mosquitto (store store-7, region east)');

    // Who did it is in the hub's audit log.
    const entries = await data.withLedger((ledger) => ledger.identity.auditEntries({ limit: 10 }));
    expect(entries.map((e) => [e.action, e.target])).toContainEqual(['device.broker-account', 'kiosk-a']);

    // The kiosk logs in with its own secret and gets its own topics, and nobody else's.
    const kiosk = await mqtt.connectAsync(broker.url('kiosk-a', kiosks['kiosk-a']!.secret), { clientId: 'kiosk-a', reconnectPeriod: 0, protocolVersion: 5 });
    try {
      const own = await kiosk.subscribeAsync(topics.txResult('kiosk-a'), { qos: 1 });
      expect(own[0]?.qos).toBe(1);
      await expect(kiosk.subscribeAsync(topics.txResult('kiosk-b'), { qos: 1 })).rejects.toThrow('Not authorized');
    } finally {
      await kiosk.endAsync();
    }
  });
});
