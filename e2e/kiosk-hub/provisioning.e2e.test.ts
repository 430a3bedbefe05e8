import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { CliProcesses } from '../support/cli-process.ts';
import { findFreePort } from '../support/free-port.ts';
import { startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { tapMember } from '../support/kiosk-api.ts';
import { purchaseBody } from '../support/purchase.ts';
import { memberkioskProcess } from '../../scripts/build/memberkiosk-under-test.ts';

/**
 * A technician's enrolment as it happens in a store, every step a real `memberkiosk` process: the hub, `enrol
 * create` on its data directory, `provision` over the hub's HTTPS listener, `device --data DIR` with no other
 * flag, `devices revoke`. And the attacks on it: a code used twice or late, an impostor hub.
 * One hub serves the whole file (a hub process is the slowest thing to start); each test has its own codes, kiosk
 * folders and device processes, killed after it. The first test SIGKILLs the hub and starts it again on its data.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));

function memberkiosk(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = memberkioskProcess(args);
  const child = spawn(process.execPath, command.args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

interface KioskState {
  deviceId: string;
  connected: boolean;
  outboxDepth: number;
}

describe('provisioning a kiosk (real processes, real TLS)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  /** The hub's process, for the whole file. */
  let hubProcesses: CliProcesses;
  /** The test's own processes (kiosks), killed after it. */
  let children: CliProcesses;
  let hubDir: string;
  let hub: HubProcess;
  let impostor: TestHub | null = null;
  /** The test's own folder for kiosk data directories. */
  let dir: string;
  let tests = 0;

  beforeAll(async () => {
    temp = makeTempDir('mk-e2e-provision-');
    hubProcesses = new CliProcesses();
    hubDir = join(temp.dir, 'hub');
    hub = await startHubProcess(hubProcesses, { dataDir: hubDir, mqttPort: await findFreePort() });
  }, 60_000);
  beforeEach(async () => {
    children = new CliProcesses();
    dir = join(temp.dir, `test-${++tests}`);
    mkdirSync(dir);
    // A test that failed between SIGKILLing the hub and starting it again leaves none for the next.
    if (hub.process.child.exitCode !== null || hub.process.child.signalCode !== null) hub = await startHubProcess(hubProcesses, { dataDir: hubDir, mqttPort: await findFreePort() });
  });
  afterEach(async () => {
    await children.killAll();
    await impostor?.dispose();
    impostor = null;
  });
  afterAll(async () => {
    await hubProcesses?.killAll();
    temp?.cleanup();
  });

  async function newCode(...extra: string[]): Promise<string> {
    const created = await memberkiosk('enrol', 'create', '--store', 'store-001', '--data', hubDir, ...extra);
    expect(created.code, created.stderr).toBe(0);
    return created.stdout.trim();
  }

  async function startDevice(kioskDir: string, ...extra: string[]): Promise<string> {
    const { match } = await children.start(['device', '--data', kioskDir, '--port', '0', '--log-level', 'warn', '--demo', ...extra], /screen: (http:\/\/\S+?)\/?\n/);
    return `${match[1]!}/api`;
  }

  it('enrols with a code once, starts from the stored credentials with no other flag, over MQTT with TLS, and again after a SIGKILL', async () => {
    const code = await newCode('--mode', 'unattended');
    const kioskDir = join(dir, 'kiosk');
    const provisioned = await memberkiosk('provision', '--hub', hub.httpsUrl, '--code', code, '--data', kioskDir);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    expect(provisioned.stdout).toMatch(/enrolled as (kiosk-[0-9a-f]{10}) in store store-001 \(region demo-region, unattended\); broker mqtts:\/\/127\.0\.0\.1:\d+/);
    expect(statSync(join(kioskDir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(kioskDir, 'device.key')).mode & 0o777).toBe(0o600);

    // The same code again, for another machine: refused, and nothing written there.
    const twice = await memberkiosk('provision', '--hub', hub.httpsUrl, '--code', code, '--data', join(dir, 'kiosk-2'));
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('ENROL_CODE_USED');
    expect(existsSync(join(dir, 'kiosk-2', 'provisioning.json'))).toBe(false);

    const apiUrl = await startDevice(kioskDir);
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: true }), { timeout: 10_000, interval: 50 });
    await tapMember(apiUrl, DEMO_CARDS.gold);
    const sold = await postJson<{ status: string }>(`${apiUrl}/tx/purchase`, purchaseBody(500));
    expect(sold.body.status).toBe('applied');

    // The hub and the kiosk SIGKILLed together.
    await Promise.all([children.killAll(), hubProcesses.killAll()]);
    hub = await startHubProcess(hubProcesses, { dataDir: hubDir, mqttPort: await findFreePort() });
    // The hub's TLS port changed with the restart: the kiosk is pointed at it, its login and CA are the stored ones.
    const again = await startDevice(kioskDir, '--hub', hub.brokerTlsUrl);
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${again}/state`)).toMatchObject({ connected: true }), { timeout: 10_000, interval: 50 });
  }, 90_000); // five real processes one after another (tsx each): slow on a loaded 2-core machine

  it('refuses an expired code', async () => {
    const code = await newCode('--ttl', '1s');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const late = await memberkiosk('provision', '--hub', hub.httpsUrl, '--code', code, '--data', join(dir, 'kiosk'));
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('ENROL_CODE_EXPIRED');
    expect(late.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an impostor hub at first contact (its CA is not the code’s) and afterwards (its certificate is not trusted)', async () => {
    impostor = await startTestHub({ dataDir: join(dir, 'impostor') });
    const code = await newCode();
    const fooled = await memberkiosk('provision', '--hub', impostor.httpsUrl!, '--code', code, '--data', join(dir, 'fooled'));
    expect(fooled.code).toBe(1);
    expect(fooled.stderr).toContain('ENROL_HUB_CA_MISMATCH');
    expect(existsSync(join(dir, 'fooled', 'credentials.json'))).toBe(false);

    // The code still works at the right hub; a kiosk sent to the impostor's broker afterwards never connects.
    const kioskDir = join(dir, 'kiosk');
    expect((await memberkiosk('provision', '--hub', hub.httpsUrl, '--code', code, '--data', kioskDir)).code).toBe(0);
    const apiUrl = await startDevice(kioskDir, '--hub', impostor.brokerTlsUrl!);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: false });
  });

  it('disconnects a kiosk revoked with `memberkiosk devices revoke` while the hub runs, and it cannot reconnect', async () => {
    const kioskDir = join(dir, 'kiosk');
    expect((await memberkiosk('provision', '--hub', hub.httpsUrl, '--code', await newCode('--device-id', 'kiosk-gone'), '--data', kioskDir)).code).toBe(0);
    const apiUrl = await startDevice(kioskDir);
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ deviceId: 'kiosk-gone', connected: true }), { timeout: 10_000, interval: 50 });
    const revoked = await memberkiosk('devices', 'revoke', 'kiosk-gone', '--data', hubDir);
    expect(revoked.code, revoked.stderr).toBe(0);
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: false }), { timeout: 5_000, interval: 50 });
    // It keeps trying (reconnect back-off) and stays out.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: false });
    expect((await memberkiosk('devices', 'list', '--data', hubDir)).stdout).toMatch(/kiosk-gone\tstore-001\tunattended\tenrolled \S+\trevoked \S+/);
  });
});
