/**
 * The external-broker path of a revocation when the fleet is on PostgreSQL: `memberkiosk devices revoke --db` (a
 * process of its own) writes the revocation into the database, and the hub's revocation sync (revocation-sync.ts),
 * reading the PostgreSQL fleet, disables the kiosk on a real Mosquitto with dynamic security within seconds — the
 * kiosk is disconnected and refused from then on. A throwaway PostgreSQL cluster for this file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { runMosquittoClient } from '../testing/run-mosquitto-client.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../testing/start-mosquitto-dynsec.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { MosquittoDynsecAccounts } from './mosquitto-dynsec-accounts.ts';

const t = createTopics();
const REPO = fileURLToPath(new URL('../../', import.meta.url));

afterAll(stopPostgres);

describe('revocations reach an external broker from the PostgreSQL fleet (real Mosquitto, real PostgreSQL)', () => {
  let broker: DynsecMosquitto;
  let env: TestHub;
  let url: string;

  beforeEach(async () => {
    broker = await startMosquittoDynsec();
    await new MosquittoDynsecAccounts({ url: broker.adminUrl, logger: pino({ level: 'silent' }) }).ensureHubAccount('hub', 'hub-secret');
    url = await freshMigratedPostgresDatabase('revoke');
    env = await startTestHub({ db: { kind: 'postgres', url }, broker: { mode: 'external', url: broker.url('hub', 'hub-secret'), dynsecAdminUrl: broker.adminUrl } });
  });

  afterEach(async () => {
    await env.dispose();
    await broker.stop();
  });

  it('a kiosk revoked by the CLI on the database is disabled on the broker within seconds', async () => {
    const kiosk = await enrolForTest(env, 'kiosk-c');
    expect(existsSync(join(env.dataDir, 'fleet.sqlite'))).toBe(false);
    const client: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, reconnectPeriod: 0, clientId: kiosk.deviceId, username: kiosk.username, password: kiosk.password });
    const gone = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const revoked = await runMosquittoClient(process.execPath, ['bin/memberkiosk.mjs', 'devices', 'revoke', 'kiosk-c', '--data', env.dataDir, '--db', url], { timeoutMs: 30_000, cwd: REPO });
    expect(revoked).toMatchObject({ code: 0, output: expect.stringContaining('device kiosk-c revoked at') as unknown });
    await vi.waitFor(() => gone, { timeout: 5_000 });
    client.end(true);
    const refused = await runMosquittoClient('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-V', 'mqttv311', '-i', 'kiosk-c', '-u', kiosk.username, '-P', kiosk.password, '-t', t.tx('kiosk-c'), '-m', 'x'], { timeoutMs: 5_000, cwd: REPO });
    expect(refused.output).toMatch(/not authori[sz]ed/i);
    expect((await env.hub.fleet.device('kiosk-c'))?.revokedAt).not.toBeNull();
  });
});
