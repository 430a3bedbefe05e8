/**
 * A login typed into a kiosk's Node-RED editor, checked by the hub over the kiosk's own MQTT login (real aedes,
 * real SQLite): a technician of the kiosk's store and an HQ admin get in; a cashier, a technician of another store
 * and a wrong password do not, and no session is left open by the check.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const BY = { kind: 'cli' as const, id: 'test', surface: 'cli' };
const PASSWORD = 'a long enough password';

describe('staff.editorLogin look-up (real aedes, real SQLite)', () => {
  let env: TestHub;
  let kiosk: RawDeviceClient;
  let identity: IdentityService;

  beforeEach(async () => {
    env = await startTestHub();
    kiosk = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-flows', await enrolForTest(env, 'kiosk-flows', { mode: 'unattended' }));
    identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
  });

  afterEach(async () => {
    await kiosk.close();
    await env.dispose();
  });

  it("lets in a technician of the kiosk's store and an HQ admin, and keeps no session of the check open", async () => {
    const tech = await identity.addStaff({ name: '赵工', role: 'technician', storeIds: [DEMO_STORE_ID], login: 'zhao.tech', password: PASSWORD }, BY);
    await identity.addStaff({ name: '总部管理员', role: 'hq_admin', storeIds: ['another-store'], login: 'hq.admin', password: PASSWORD }, BY);
    expect(await kiosk.lookup({ op: 'staff.editorLogin', login: 'zhao.tech', password: PASSWORD })).toMatchObject({ ok: true, editor: { staffId: tech.staffId, role: 'technician' } });
    expect(await kiosk.lookup({ op: 'staff.editorLogin', login: 'hq.admin', password: PASSWORD })).toMatchObject({ ok: true, editor: { role: 'hq_admin' } });
    expect((await identity.openSessionsOf(tech.staffId)).filter((s) => s.endedAt === null)).toEqual([]);
  });

  it('refuses a cashier, a technician of another store and a wrong password', async () => {
    await identity.addStaff({ name: '王芳', role: 'cashier', storeIds: [DEMO_STORE_ID], login: 'wang.cashier', password: PASSWORD }, BY);
    await identity.addStaff({ name: '钱工', role: 'technician', storeIds: ['another-store'], login: 'qian.tech', password: PASSWORD }, BY);
    expect(await kiosk.lookup({ op: 'staff.editorLogin', login: 'wang.cashier', password: PASSWORD })).toMatchObject({ ok: false, code: 'FLOW_EDITOR_REFUSED' });
    expect(await kiosk.lookup({ op: 'staff.editorLogin', login: 'qian.tech', password: PASSWORD })).toMatchObject({ ok: false, code: 'FLOW_EDITOR_REFUSED' });
    expect(await kiosk.lookup({ op: 'staff.editorLogin', login: 'wang.cashier', password: 'not the password' })).toMatchObject({ ok: false, code: 'LOGIN_FAILED' });
  });
});
