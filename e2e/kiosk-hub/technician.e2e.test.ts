/**
 * Technician mode end to end: a real kiosk (createDevice, real HTTP, real MQTT over TLS) against a real hub
 * (embedded broker, SQLite, demo data). A technician of the demo store signs in on the kiosk with their card and
 * PIN — checked and audited by the hub — and reads the kiosk's diagnostics and prints a test page; the demo
 * cashier may not, and nobody signed in may not.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CASHIER_CARD, DEMO_CASHIER_PIN, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { kioskAgainstHub } from '../support/kiosk-against-hub.ts';
import { staffSignIn } from '../support/kiosk-api.ts';

const DEVICE_ID = 'kiosk-e2e-technician';
const TECH_CARD = 'A5AFF00000E1';
const TECH_PIN = '8642';

interface Diagnostics {
  deviceId: string;
  storeId: string;
  softwareVersion: string;
  enrolled: { hubUrl: string };
  clock: { skewMs?: number };
  connectivity: { connected: boolean; since: string };
  outbox: { depth: number };
  hardware: { reader: { model: string; state: { status: string } }; printer: { model: string; state: { status: string } } };
  recentErrors: unknown[];
}

describe('technician mode through the kiosk API against a real hub', () => {
  const rig = kioskAgainstHub('mk-e2e-tech-', DEVICE_ID);
  afterEach(() => rig.dispose());

  it('a technician signs in with card and PIN (audited at the hub), reads the diagnostics and prints a test page; a cashier may not', async () => {
    const { apiUrl, hub } = await rig.start(async (started) => {
      const identity = createIdentityService({ store: started.hub.store.identity, logger: pino({ level: 'silent' }) });
      await identity.addStaff({ name: '技术员 Technician', role: 'technician', storeIds: [DEMO_STORE_ID], cardUid: TECH_CARD, pin: TECH_PIN }, { kind: 'system', id: 'e2e', surface: 'cli' });
    });

    expect(await postJson(`${apiUrl}/technician/test-print`, {})).toMatchObject({ status: 401, body: { error: { code: 'STAFF_SESSION_REQUIRED' } } });
    await staffSignIn(apiUrl, { card: DEMO_CASHIER_CARD, pin: DEMO_CASHIER_PIN });
    const cashier = await fetch(`${apiUrl}/technician/diagnostics`);
    expect(cashier.status).toBe(403);
    expect(await cashier.json()).toMatchObject({ error: { code: 'STAFF_UNAUTHORIZED' } });
    await postJson(`${apiUrl}/staff/sign-out`, {});

    const signedIn = await staffSignIn(apiUrl, { card: TECH_CARD, pin: TECH_PIN });
    expect(signedIn.body).toMatchObject({ staff: { role: 'technician', mayDo: [] } });
    const diagnostics = await getJson<Diagnostics>(`${apiUrl}/technician/diagnostics`);
    expect(diagnostics).toMatchObject({
      deviceId: DEVICE_ID,
      storeId: DEMO_STORE_ID,
      connectivity: { connected: true },
      outbox: { depth: 0 },
      hardware: { reader: { model: 'simulated', state: { status: 'ready' } }, printer: { model: 'simulated', state: { status: 'ready' } } },
    });
    expect(diagnostics.softwareVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(diagnostics.enrolled.hubUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+/);
    // The hub measured the kiosk's clock on connect.
    expect(typeof diagnostics.clock.skewMs).toBe('number');
    expect(await postJson(`${apiUrl}/technician/test-print`, {})).toMatchObject({ status: 200, body: { print: { status: 'printed', code: null } } });

    // The sign-ins (the cashier's and the technician's) are in the hub's audit log, at this kiosk.
    const audit = await hub.hub.store.identity.auditEntries({ limit: 20, action: 'staff.sign_in', surface: `kiosk:${DEVICE_ID}` });
    expect(audit.filter((entry) => entry.outcome === 'ok')).toHaveLength(2);
  });
});
