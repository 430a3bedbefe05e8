/**
 * The end-to-end benchmark's kiosk in a process of its own: a real hub (embedded aedes, SQLite ledger) here, the
 * kiosk's real outbox and hub link in the forked process. Every timed and untimed sale must be applied once by the
 * hub, and each answer carries one time per timed sale or round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolForTest, type DeviceCredentials } from '../../../hub/testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../../../hub/testing/start-test-hub.ts';
import { latencyWithKioskApart } from './kiosk-latency-apart.ts';

describe('the confirmation benchmark with the kiosk in its own process', () => {
  let env: TestHub;
  let dir: string;
  beforeAll(async () => {
    env = await startTestHub();
    dir = mkdtempSync(join(tmpdir(), 'mk-latency-apart-'));
  });
  afterAll(async () => {
    await env.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sells every purchase through the hub once and times each one and each raw round trip', async () => {
    const logins = new Map<string, Promise<DeviceCredentials>>();
    const credentials = (deviceId: string) => logins.get(deviceId) ?? logins.set(deviceId, enrolForTest(env, deviceId)).get(deviceId)!;
    const before = await env.hub.store.transactionCount();
    const measured = await latencyWithKioskApart(env, { outboxPath: join(dir, 'outbox.sqlite'), warmUp: 5, count: 20, credentials });
    expect(measured.samples).toHaveLength(20);
    expect(measured.echoSamples).toHaveLength(20);
    expect([...measured.samples, ...measured.echoSamples].every((ms) => ms > 0 && ms < 5_000)).toBe(true);
    expect(measured.p99).toBeGreaterThanOrEqual(measured.p50);
    expect(await env.hub.store.transactionCount()).toBe(before + 25);
    // One epoch, seqs 1–25, each taken once.
    expect(await env.hub.store.consumedSeqs('bench-latency-process')).toBe(25);
    expect(await env.hub.store.audit()).toEqual([]);
  }, 60_000);
});
