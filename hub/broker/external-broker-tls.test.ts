import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { ensureHubTls } from '../pki/hub-tls.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../testing/start-mosquitto-dynsec.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { MosquittoDynsecAccounts } from './mosquitto-dynsec-accounts.ts';

/**
 * The documented production broker: a TLS-only Mosquitto serving a certificate of the hub's own CA, with the
 * dynamic security plugin. The hub must trust that CA on its own (no NODE_EXTRA_CA_CERTS): before, it refused
 * the certificate and waited for the broker for ever.
 */
describe('hub on a TLS-only Mosquitto with a certificate of its own CA (real broker)', () => {
  let broker: DynsecMosquitto | null = null;
  let env: TestHub | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'mk-hub-ext-tls-'));

  afterEach(async () => {
    await env?.dispose();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects, enrols a kiosk through the plugin over TLS, and the kiosk reaches the hub over TLS', async () => {
    const tls = await ensureHubTls(dataDir, []);
    broker = await startMosquittoDynsec({ tls: { certPem: tls.certChainPem, keyPem: tls.keyPem } });
    expect(broker.adminUrl.startsWith('mqtts://')).toBe(true);
    await new MosquittoDynsecAccounts({ url: broker.adminUrl, ca: [tls.caPem], logger: pino({ level: 'silent' }) }).ensureHubAccount('hub', 'hub-secret');
    // No CA given to the hub: it trusts its own (DATA/tls/ca.crt) for the broker and the plugin's admin.
    env = await startTestHub({ dataDir, broker: { mode: 'external', url: broker.url('hub', 'hub-secret'), dynsecAdminUrl: broker.adminUrl } });
    const kiosk = await enrolForTest(env, 'kiosk-tls');
    const topics = createTopics();
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.port}`, { protocolVersion: 4, reconnectPeriod: 0, clientId: kiosk.deviceId, username: kiosk.username, password: kiosk.password, ca: tls.caPem });
    try {
      // The hub answers a look-up through the broker: both ends are on it, over TLS.
      await client.subscribeAsync(topics.response(kiosk.deviceId, '+'), { qos: 1 });
      const answered = new Promise<string>((resolve) => client.once('message', (_t, payload) => resolve(payload.toString())));
      await client.publishAsync(topics.request(kiosk.deviceId, 'r1'), JSON.stringify({ op: 'device.profile' }), { qos: 1 });
      expect(JSON.parse(await answered)).toMatchObject({ ok: true, profile: { mode: expect.any(String) } });
    } finally {
      await client.endAsync();
    }
  });
});
