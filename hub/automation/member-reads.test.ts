/**
 * `member.get` and `member.segment` on each real ledger back end — a SQLite file and a PostgreSQL database on a
 * throwaway cluster (hub/testing/start-postgres.ts) — (the demo's members, staff and opening balances,
 * plus members made for each case). Join times and the kiosk transactions that make a member "seen" are written
 * straight into the ledger's tables (as hub/testing/dormant-members-ledger.ts does): the cases need them dated in
 * the past, which no kiosk could send. "Today" is 2026-03-10 in Shanghai while it is still 03-09 in UTC, so every
 * day is the chain's, not the hub's clock's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { MemberSegmentParams, MemberSummary } from '../../flows/runtime/protocol.ts';
import { DEMO_MEMBERS, seedDemoData } from '../demo/seed-demo-data.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { hqAdminLogin } from '../testing/staff-actor.ts';
import { createMemberReads, MARKETING_CONSENT_PURPOSE } from './member-reads.ts';

const silent = pino({ level: 'silent' });
const TZ = 'Asia/Shanghai';
/** 2026-03-10 01:00 in Shanghai. */
const NOW = Date.parse('2026-03-09T17:00:00.000Z');
const DEMO_IDS = DEMO_MEMBERS.map((m) => m.memberId);

interface NewMember {
  joined: string;
  tier?: string;
  store?: string;
  birthday?: string;
  topUpCents?: number;
}

/** A ledger opened on one back end, with a connection past it for writing what no kiosk could send. */
interface Opened {
  ledger: Ledger;
  /** Runs one statement written with `?` placeholders. */
  exec(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function openSqlite(): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-member-reads-'));
  const path = join(dir, 'ledger.sqlite');
  const ledger = await openLedger({ kind: 'sqlite', path, logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE });
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  return {
    ledger,
    async exec(sql, params = []) {
      db.prepare(sql).run(...params);
    },
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<Opened> {
  const url = await freshMigratedPostgresDatabase('member_reads');
  const ledger = await openLedger({ kind: 'postgres', url, logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    ledger,
    async exec(sql, params = []) {
      let n = 0;
      await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
    },
    close: () => client.end(),
  };
}

describe.each([
  { name: 'SQLite', open: openSqlite },
  { name: 'PostgreSQL', open: openPostgres },
])('member.get and member.segment ($name)', ({ open }) => {
  let ledger: Ledger | null = null;
  let raw: Opened | null = null;
  afterEach(async () => {
    if (ledger) expect(await ledger.audit()).toEqual([]);
    await ledger?.close();
    ledger = null;
    await raw?.close();
    raw = null;
  });
  afterAll(stopPostgres);

  async function setUp(now = NOW) {
    const opened = (raw = await open());
    const store = (ledger = opened.ledger);
    await seedDemoData(store);
    const db = opened;
    // The demo members joined long ago; their only transactions are HQ's opening balances.
    await db.exec("UPDATE members SET created_at = '2025-06-01T02:00:00.000Z'");
    const { actor } = await hqAdminLogin(store);
    let n = 0;
    let seq = 0;
    const add = async (memberId: string, m: NewMember) => {
      n += 1;
      const card = `CA${String(n).padStart(6, '0')}`;
      await store.createMember({ memberId, name: `会员 ${memberId}`, phone: `1390000${String(n).padStart(4, '0')}`, tier: m.tier ?? 'standard', creditLimitCents: 0, homeStoreId: m.store ?? 'store-001', cards: [{ uid: card }] });
      await db.exec('UPDATE members SET created_at = ? WHERE member_id = ?', [m.joined, memberId]);
      if (m.birthday) await store.memberProfiles.updateProfile(memberId, { birthday: m.birthday }, new Date(now).toISOString());
      if (m.topUpCents) expect(await store.applyHq({ kind: 'top_up', storeId: m.store ?? 'store-001', cardUid: card, amountCents: m.topUpCents, tender: 'cash', actor })).toMatchObject({ status: 'applied' });
    };
    /** A transaction of the member's recorded at `at`, as the ledger records one (no balance moves: none is read here). */
    const seen = async (memberId: string, at: string, o: { device?: string; status?: 'applied' | 'rejected' } = {}) => {
      seq += 1;
      const device = o.device ?? 'kiosk-x';
      await db.exec(
        `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, member_id, bundle_version, created_at, applied_at, result)
         VALUES (?, ?, ?, 'T', 'purchase', 'h', ?, ?, ?, 1, ?, ?, '{}')`,
        [`T${String(seq).padStart(8, '0')}`, device, seq, JSON.stringify({ kind: 'purchase', storeId: 'store-001' }), o.status ?? 'applied', memberId, at, at],
      );
    };
    const reads = createMemberReads({ reads: store.automation, timezone: async () => TZ, now: () => now });
    const segment = async (params: MemberSegmentParams) => reads.segment(params);
    const ids = async (params: MemberSegmentParams) => (await segment(params)).members.map((m) => m.memberId);
    return { store, add, seen, reads, segment, ids };
  }

  it("finds today's birthdays by the chain's calendar day, never an erased member", async () => {
    const { store, add, ids } = await setUp();
    await add('B1', { joined: '2025-01-05T00:00:00.000Z', birthday: '1990-03-10' });
    await add('B2', { joined: '2025-01-05T00:00:00.000Z', birthday: '1985-03-11' });
    await add('B3', { joined: '2025-01-05T00:00:00.000Z', birthday: '1991-03-10' });
    // Still 03-09 on the hub's UTC clock: not this chain's today.
    await add('B4', { joined: '2025-01-05T00:00:00.000Z', birthday: '1992-03-09' });
    await add('B5', { joined: '2025-01-05T00:00:00.000Z', birthday: '2001-03-10' });
    await store.memberProfiles.erase('B3', new Date(NOW).toISOString());
    expect(await ids({ segment: 'birthday-today' })).toEqual(['B1', 'B5']);
  });

  it('remembers 29 February birthdays on the 28th when the year has no 29th, and only then', async () => {
    const feb28 = Date.parse('2027-02-28T04:00:00.000Z');
    const { add, ids } = await setUp(feb28);
    await add('L1', { joined: '2025-01-05T00:00:00.000Z', birthday: '2000-02-29' });
    await add('L2', { joined: '2025-01-05T00:00:00.000Z', birthday: '1999-02-28' });
    expect(await ids({ segment: 'birthday-today' })).toEqual(['L1', 'L2']);
    const leapYear = createMemberReads({ reads: ledger!.automation, timezone: async () => TZ, now: () => Date.parse('2028-02-28T04:00:00.000Z') });
    expect((await leapYear.segment({ segment: 'birthday-today' })).members.map((m) => m.memberId)).toEqual(['L2']);
  });

  it("finds members who joined on today's local day in an earlier year, not this year's", async () => {
    const { add, ids } = await setUp();
    await add('J1', { joined: '2024-03-09T16:30:00.000Z' }); // 2024-03-10 00:30 in Shanghai
    await add('J2', { joined: '2024-03-10T16:30:00.000Z' }); // 2024-03-11 00:30 in Shanghai
    await add('J3', { joined: '2019-03-10T15:59:59.999Z' }); // 2019-03-10 23:59 in Shanghai
    await add('J4', { joined: '2026-03-09T16:10:00.000Z' }); // today: joining is no anniversary
    expect(await ids({ segment: 'anniversary-today' })).toEqual(['J1', 'J3']);
  });

  it('finds members not seen at a kiosk for the days asked: HQ transactions and refusals are not a visit, a member never seen counts from joining', async () => {
    const { add, seen, segment } = await setUp();
    await add('I1', { joined: '2025-01-01T00:00:00.000Z' });
    await seen('I1', '2026-01-01T03:00:00.000Z');
    await add('I2', { joined: '2025-01-01T00:00:00.000Z' });
    await seen('I2', '2026-01-01T03:00:00.000Z');
    await seen('I2', '2026-03-01T03:00:00.000Z');
    await add('I3', { joined: '2025-01-01T00:00:00.000Z', topUpCents: 5_000 });
    await seen('I3', '2026-01-01T03:00:00.000Z');
    await seen('I3', '2026-03-05T03:00:00.000Z', { device: 'hq' });
    await add('I4', { joined: '2025-01-01T00:00:00.000Z' });
    await add('I5', { joined: '2026-03-01T00:00:00.000Z' });
    await add('I6', { joined: '2025-01-01T00:00:00.000Z' });
    await seen('I6', '2026-01-01T03:00:00.000Z');
    await seen('I6', '2026-03-01T03:00:00.000Z', { status: 'rejected' });
    const inactive = await segment({ segment: 'inactive', days: 30 });
    expect(inactive.members.map((m) => m.memberId)).toEqual([...['I1', 'I3', 'I4', 'I6'], ...DEMO_IDS]);
    expect(inactive.truncated).toBe(false);
    expect(Object.fromEntries(inactive.members.map((m) => [m.memberId, m.lastSeenAt]))).toMatchObject({ I1: '2026-01-01T03:00:00.000Z', I3: '2026-01-01T03:00:00.000Z', I4: null, M0001: null });
    // Over 8 days, the member seen 8½ days ago and the one who joined then are inactive too.
    expect((await segment({ segment: 'inactive', days: 8 })).members.map((m) => m.memberId)).toEqual(['I1', 'I2', 'I3', 'I4', 'I5', 'I6', ...DEMO_IDS]);
  });

  it('filters by tier, home store, stored value and marketing consent (its newest record), and cuts at the limit', async () => {
    const { store, add, ids, segment } = await setUp();
    await add('F1', { joined: '2025-01-01T00:00:00.000Z', tier: 'gold', store: 'store-002', topUpCents: 10_000 });
    await add('F2', { joined: '2025-01-01T00:00:00.000Z', tier: 'gold', store: 'store-001', topUpCents: 2_000 });
    await add('F3', { joined: '2025-01-01T00:00:00.000Z', tier: 'silver', store: 'store-002' });
    const consent = (memberId: string, granted: boolean, purpose = MARKETING_CONSENT_PURPOSE) =>
      store.memberProfiles.addConsent({ memberId, purpose, granted, at: new Date(NOW).toISOString(), staffId: 'test', note: null });
    await consent('F1', true);
    await consent('F2', true);
    await consent('F2', false); // withdrawn (replied T)
    await consent('F3', true, 'marketing_wechat');
    expect(await ids({ segment: 'all', tier: 'gold' })).toEqual(['F1', 'F2', 'M0003']);
    expect(await ids({ segment: 'all', storeId: 'store-002' })).toEqual(['F1', 'F3']);
    // The demo members' opening balances: 200, 500, 1,000 and 2,000 元 of stored value.
    expect(await ids({ segment: 'all', minStoredValueCents: 10_000 })).toEqual(['F1', 'M0001', 'M0002', 'M0003', 'M0004']);
    expect(await ids({ segment: 'all', minStoredValueCents: 20_001 })).toEqual(['M0002', 'M0003', 'M0004']);
    expect(await ids({ segment: 'all', consent: 'marketing' })).toEqual(['F1']);
    expect(await ids({ segment: 'all', tier: 'gold', consent: 'marketing', storeId: 'store-002', minStoredValueCents: 1 })).toEqual(['F1']);
    expect(await segment({ segment: 'all', limit: 3 })).toMatchObject({ members: [{ memberId: 'F1' }, { memberId: 'F2' }, { memberId: 'F3' }], truncated: true });
    expect((await segment({ segment: 'all', limit: 7 })).truncated).toBe(false);
  });

  it('reads one member by id or phone as a summary with no phone and no card number; an erased member is not found', async () => {
    const { store, add, seen, reads } = await setUp();
    await add('G1', { joined: '2025-01-01T00:00:00.000Z', birthday: '1990-07-01', tier: 'gold', topUpCents: 12_300 });
    await seen('G1', '2026-02-01T03:00:00.000Z');
    const state = (await store.member('M0003'))!;
    expect(await reads.get({ memberId: 'M0003' })).toEqual({
      memberId: 'M0003',
      name: 'Zhang Min',
      tier: 'gold',
      homeStoreId: 'store-001',
      points: state.points,
      storedValueCents: state.storedValueCents,
      joinedAt: '2025-06-01T02:00:00.000Z',
      birthday: null,
      lastSeenAt: null,
      marketingConsent: false,
    } satisfies MemberSummary);
    expect(await reads.get({ phone: '+86 138 0013 8003' })).toMatchObject({ memberId: 'M0003' });
    const g1 = (await reads.get({ memberId: 'G1' }))!;
    expect(g1).toMatchObject({ birthday: '1990-07-01', storedValueCents: 12_300, lastSeenAt: '2026-02-01T03:00:00.000Z' });
    expect(Object.keys(g1).sort()).toEqual(['birthday', 'homeStoreId', 'joinedAt', 'lastSeenAt', 'marketingConsent', 'memberId', 'name', 'points', 'storedValueCents', 'tier']);
    expect(await reads.get({ memberId: 'M9999' })).toBeNull();
    await store.memberProfiles.erase('G1', new Date(NOW).toISOString());
    expect(await reads.get({ memberId: 'G1' })).toBeNull();
    expect((await reads.segment({ segment: 'all' })).members.map((m) => m.memberId)).not.toContain('G1');
  });

  it('refuses parameters it cannot read with FLOW_PARAMS_INVALID', async () => {
    const { reads } = await setUp();
    for (const bad of [{}, { memberId: '' }, { phone: 12 }, null]) await expect(reads.get(bad)).rejects.toMatchObject({ code: 'FLOW_PARAMS_INVALID' });
    for (const bad of [
      {},
      { segment: 'vip' },
      { segment: 'inactive' },
      { segment: 'inactive', days: 0 },
      { segment: 'inactive', days: 3651 },
      { segment: 'all', limit: 0 },
      { segment: 'all', limit: 5_001 },
      { segment: 'all', consent: 'analytics' },
      { segment: 'all', minStoredValueCents: -1 },
    ]) {
      await expect(reads.segment(bad)).rejects.toMatchObject({ code: 'FLOW_PARAMS_INVALID' });
    }
  });
});
