/**
 * The hub's calls for flows, as the Node-RED child reaches them (FlowCalls by HUB_CALLS name), on a real SQLite
 * ledger, the real flows' staff account and a real fleet registry with enrolled kiosks. Two edges are stand-ins,
 * named so: the messaging service (hub/messaging/, its own tests) and the MQTT command sender (device-commands.ts,
 * its own tests) — each records what it was handed. Each call is logged with its method and no personal data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { HUB_CALLS, HUB_EVENTS, type FlowCalls, type LedgerEvent, type MessageSendParams } from '../../flows/runtime/protocol.ts';
import { DEMO_BIRTHDAY_MEMBER, seedDemoAutomation, seedDemoData } from '../demo/seed-demo-data.ts';
import { seedDemoFleet } from '../demo/seed-demo-fleet.ts';
import { SqliteFleetRegistry } from '../fleet/sqlite/sqlite-fleet-registry.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import type { DeviceCommandRequest } from './device-commands.ts';
import { createFlowActor } from './flow-actor.ts';
import { createHubFlowCalls } from './hub-flow-calls.ts';
import { createHubFlowEvents } from './hub-flow-events.ts';
import { createMemberReads } from './member-reads.ts';

const silent = pino({ level: 'silent' });
/** One clock for the demo's seeding and the segments, so "today" is the same day for both. */
const NOW = Date.now();

describe('the hub calls flows make (createHubFlowCalls)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  async function setUp() {
    const dir = mkdtempSync(join(tmpdir(), 'mk-flow-calls-'));
    const ledger: Ledger = await openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE });
    const fleet = new SqliteFleetRegistry(join(dir, 'fleet.sqlite'));
    await fleet.open();
    cleanups.push(async () => {
      expect(await ledger.audit()).toEqual([]);
      await ledger.close();
      await fleet.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await seedDemoData(ledger);
    const { flowStaffId } = await seedDemoAutomation(ledger, { now: NOW });
    await seedDemoFleet(fleet);
    const target = { hub: { fleet, store: ledger }, caSha256: 'a'.repeat(64) };
    await enrolForTest(target, 'kiosk-1');
    await enrolForTest(target, 'kiosk-2');
    await fleet.revokeDevice('kiosk-2', new Date().toISOString());

    const lines: Record<string, unknown>[] = [];
    const logText: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logText.push(chunk.toString());
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      }),
    );
    const actor = createFlowActor({ actAs: flowStaffId, identity: createIdentityService({ store: ledger.identity, logger: silent }), staff: ledger.identity, logger: silent });
    await actor.start();
    /** A stand-in for the hub's messaging service: records what it is handed. */
    const sent: MessageSendParams[] = [];
    /** A stand-in for the MQTT command sender: records what it is handed. */
    const commands: { deviceId: string; request: DeviceCommandRequest }[] = [];
    const events: { topic: string; payload: unknown }[] = [];
    const hubEvents = createHubFlowEvents({ emit: (topic, payload) => events.push({ topic, payload }), logger: silent });
    const calls: FlowCalls = createHubFlowCalls({
      ledger,
      reads: createMemberReads({ reads: ledger.automation, timezone: async () => 'Asia/Shanghai', now: () => NOW }),
      actor,
      messages: {
        async send(params) {
          sent.push(params);
          return { status: 'sent', messageId: `msg-${sent.length}` };
        },
      },
      sendDeviceCommand: async (deviceId, request) => {
        commands.push({ deviceId, request });
      },
      device: (deviceId) => fleet.device(deviceId),
      onLedgerResult: (body, result) => hubEvents.hqResult(body, result),
      logger,
    });
    const call = (method: string, params: unknown) => calls[method]!(params);
    return { ledger, calls, call, sent, commands, events, lines, logText };
  }

  it('answers every hub call by its name, and logs each with its method and outcome, never a member\'s id, name or phone', async () => {
    const { call, calls, lines, logText } = await setUp();
    expect(Object.keys(calls).sort()).toEqual(Object.values(HUB_CALLS).sort());
    expect(await call(HUB_CALLS.memberGet, { memberId: 'M0003' })).toMatchObject({ memberId: 'M0003', name: 'Zhang Min', tier: 'gold' });
    expect(await call(HUB_CALLS.memberGet, { phone: '13800138003' })).toMatchObject({ memberId: 'M0003' });
    // The demo's birthday member was seeded today: the birthday flow's segment finds them.
    expect(await call(HUB_CALLS.memberSegment, { segment: 'birthday-today', consent: 'marketing' })).toEqual({
      members: [expect.objectContaining({ memberId: DEMO_BIRTHDAY_MEMBER.memberId, marketingConsent: true })],
      truncated: false,
    });
    await expect(call(HUB_CALLS.memberSegment, { segment: 'inactive' })).rejects.toMatchObject({ code: 'FLOW_PARAMS_INVALID' });
    expect(lines.map((l) => [l.level, l.method, l.code ?? null, l.msg])).toEqual([
      [30, 'member.get', null, 'flow call answered'],
      [30, 'member.get', null, 'flow call answered'],
      [30, 'member.segment', null, 'flow call answered'],
      [30, 'member.segment', 'FLOW_PARAMS_INVALID', 'flow call refused'],
    ]);
    for (const personal of ['M0003', 'Zhang Min', '13800138003', DEMO_BIRTHDAY_MEMBER.memberId]) expect(logText.join('')).not.toContain(personal);
  });

  it('grants points as the flows\' account, once per key, and tells the grant (not its repeat) as a ledger event', async () => {
    const { ledger, call, events } = await setUp();
    const before = (await ledger.member(DEMO_BIRTHDAY_MEMBER.memberId))!.points;
    const params = { memberId: DEMO_BIRTHDAY_MEMBER.memberId, points: 200, reason: '生日积分', idempotencyKey: `birthday:${DEMO_BIRTHDAY_MEMBER.memberId}:2026` };
    const granted = (await call(HUB_CALLS.pointsGrant, params)) as { status: string; txId: string };
    expect(granted).toMatchObject({ status: 'granted', points: 200 });
    expect(await call(HUB_CALLS.pointsGrant, params)).toMatchObject({ status: 'already-granted', txId: granted.txId });
    expect((await ledger.member(DEMO_BIRTHDAY_MEMBER.memberId))!.points).toBe(before + 200);
    expect(events).toEqual([
      {
        topic: HUB_EVENTS.ledgerEvent,
        payload: {
          at: expect.any(String), txId: granted.txId, deviceId: 'hq', storeId: null, kind: 'manual_bonus', status: 'applied', code: null,
          memberId: DEMO_BIRTHDAY_MEMBER.memberId, pointsEarned: 200, pointsSpent: 0, valueDeltaCents: 0,
        } satisfies LedgerEvent,
      },
    ]);
  });

  it('passes a message on as it was asked once it reads, and refuses one that does not, sending nothing', async () => {
    const { call, sent } = await setUp();
    const good: MessageSendParams = { to: { memberId: 'M0003' }, purpose: 'marketing', text: '生日快乐！', idempotencyKey: 'birthday-msg:M0003:2026' };
    expect(await call(HUB_CALLS.messageSend, good)).toEqual({ status: 'sent', messageId: 'msg-1' });
    expect(await call(HUB_CALLS.messageSend, { ...good, to: { storeManagers: 'store-001' }, purpose: 'service' })).toEqual({ status: 'sent', messageId: 'msg-2' });
    for (const bad of [
      { ...good, to: { memberId: 'M0003', storeManagers: 'store-001' } },
      { ...good, to: {} },
      { ...good, purpose: 'spam' },
      { ...good, text: '' },
      { ...good, text: 'x'.repeat(501) },
      { ...good, idempotencyKey: '' },
      { ...good, idempotencyKey: 'k'.repeat(129) },
    ]) {
      await expect(call(HUB_CALLS.messageSend, bad)).rejects.toMatchObject({ code: 'FLOW_PARAMS_INVALID' });
    }
    expect(sent).toEqual([good, { ...good, to: { storeManagers: 'store-001' }, purpose: 'service' }]);
  });

  it('sends a screen message to an enrolled kiosk; refuses a revoked or unknown kiosk and unreadable words, sending nothing', async () => {
    const { call, commands } = await setUp();
    const args = { text: { 'zh-CN': '纸快用完了', en: 'Paper is low' }, seconds: 10 };
    expect(await call(HUB_CALLS.deviceCommand, { deviceId: 'kiosk-1', command: 'show-message', args })).toEqual({ sent: true });
    await expect(call(HUB_CALLS.deviceCommand, { deviceId: 'kiosk-2', command: 'show-message', args })).rejects.toMatchObject({ code: 'FLOW_DEVICE_UNKNOWN' });
    await expect(call(HUB_CALLS.deviceCommand, { deviceId: 'kiosk-9', command: 'show-message', args })).rejects.toMatchObject({ code: 'FLOW_DEVICE_UNKNOWN' });
    for (const bad of [
      { deviceId: 'kiosk-1', command: 'reboot', args },
      { deviceId: 'kiosk/#', command: 'show-message', args },
      { deviceId: 'kiosk-1', command: 'show-message', args: { ...args, seconds: 61 } },
      { deviceId: 'kiosk-1', command: 'show-message', args: { text: '' } },
      { deviceId: 'kiosk-1', command: 'show-message', args: { text: {} } },
      { deviceId: 'kiosk-1', command: 'show-message' },
    ]) {
      await expect(call(HUB_CALLS.deviceCommand, bad)).rejects.toMatchObject({ code: 'FLOW_PARAMS_INVALID' });
    }
    expect(commands).toEqual([{ deviceId: 'kiosk-1', request: { command: 'show-message', args } }]);
  });
});
