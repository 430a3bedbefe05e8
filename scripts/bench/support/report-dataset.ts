/**
 * The reports benchmark's dataset (issue 12): 100,000 members over 50 stores in 5 regions and 2,000,000 journal
 * entries over one year, in a hub data directory that a real hub then serves. Made once and kept under
 * bench/.cache/ (git-ignored) between runs: its making is outside the timing, and takes a few minutes.
 *
 * The hub starts on the directory first (demo data: the HQ admin login, the rules, the demo store), the fleet gets
 * the regions and stores through its registry, and the ledger rows are written in bulk with SQL in the shapes the
 * ledger writes them (payload, purchase record, journal entry, accounts that agree with the journal), because
 * applying 1.4 million transactions one by one would take the better part of an hour. A seeded generator makes the
 * same dataset on every machine.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { FLEET_FILE } from '../../../hub/fleet/open-fleet-registry.ts';
import { SqliteFleetRegistry } from '../../../hub/fleet/sqlite/sqlite-fleet-registry.ts';
import { startTestHub } from '../../../hub/testing/start-test-hub.ts';

export const DATASET_VERSION = 2;
export const MEMBERS = 100_000;
export const JOURNAL_ENTRIES = 2_000_000;
export const REGIONS = ['east', 'south', 'north', 'southwest', 'central'] as const;
const REGION_NAMES = ['华东', '华南', '华北', '西南', '华中'];
const CITIES = ['上海', '广州', '北京', '成都', '武汉'];
export const STORES_PER_REGION = 10;
/** Rounds of 15,000 top-ups, 50,000 purchases and 3,000 expiry debits: a little more than the journal entries wanted. */
const ROUNDS = 22;
/** The dataset's year ends here (local midnight, Asia/Shanghai): fixed, so every machine makes the same data. */
export const DATASET_END = Date.parse('2026-12-01T00:00:00+08:00');
const YEAR_MS = 365 * 24 * 3600 * 1000;
const TIERS = ['standard', 'standard', 'standard', 'standard', 'standard', 'silver', 'silver', 'silver', 'gold', 'diamond'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛';

export interface ReportDataset {
  dataDir: string;
  storeIds: string[];
  regionIds: string[];
  purchases: number;
  journalEntries: number;
}

export function storeIdOf(region: number, n: number): string {
  return `store-${REGIONS[region]}-${String(n + 1).padStart(2, '0')}`;
}

/** A small, fast seeded generator (mulberry32): the same dataset on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, list: readonly T[] | string): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** The cached dataset, made first if it is missing or from an older version of this generator. */
export async function reportDataset(cacheRoot: string, log: (line: string) => void): Promise<ReportDataset> {
  const root = join(cacheRoot, `report-dataset-v${DATASET_VERSION}`);
  const marker = join(root, 'complete.json');
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8')) as ReportDataset;
  rmSync(root, { recursive: true, force: true });
  const dataDir = join(root, 'hub');
  mkdirSync(dataDir, { recursive: true });
  log(`making the report dataset in ${root} (once; a few minutes)`);
  // A first start makes the ledger (current schema), the demo HQ admin, the rules and the fleet's files.
  const hub = await startTestHub({ dataDir, https: { host: '127.0.0.1', port: 0 } });
  await hub.dispose();
  const storeIds = await addFleet(dataDir);
  const counts = writeLedgerRows(join(dataDir, 'ledger.sqlite'), storeIds, log);
  const dataset: ReportDataset = { dataDir, storeIds, regionIds: [...REGIONS], ...counts };
  writeFileSync(marker, JSON.stringify(dataset, null, 2));
  return dataset;
}

async function addFleet(dataDir: string): Promise<string[]> {
  const fleet = new SqliteFleetRegistry(join(dataDir, FLEET_FILE), pino({ level: 'silent' }));
  await fleet.open();
  const storeIds: string[] = [];
  try {
    for (const [r, regionId] of REGIONS.entries()) {
      await fleet.addRegion({ regionId, name: REGION_NAMES[r]! });
      for (let n = 0; n < STORES_PER_REGION; n += 1) {
        const storeId = storeIdOf(r, n);
        await fleet.addStore({ storeId, name: `${CITIES[r]}${n + 1}号店`, regionId });
        storeIds.push(storeId);
      }
    }
  } finally {
    await fleet.close();
  }
  return storeIds;
}

interface MemberState {
  id: string;
  store: string;
  storeIndex: number;
  createdAt: number;
  card: string;
  storedValue: number;
  points: number;
  spend: number;
  earned: number;
  visits: number;
}

function writeLedgerRows(path: string, storeIds: string[], log: (line: string) => void): { purchases: number; journalEntries: number } {
  const random = seeded(20261201);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const start = DATASET_END - YEAR_MS;
  const members: MemberState[] = [];
  const insertMember = db.prepare(
    'INSERT INTO members (member_id, name, phone, tier, referrer_id, created_at, home_store_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertCard = db.prepare("INSERT INTO cards (uid, member_id, status, issued_at) VALUES (?, ?, 'active', ?)");
  const insertProfile = db.prepare('INSERT INTO member_profiles (member_id, gender, birthday, updated_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < MEMBERS; i += 1) {
      const storeIndex = Math.floor(random() * storeIds.length);
      // Two members in three joined before the year; the rest during it.
      const createdAt = random() < 0.66 ? start - Math.floor(random() * 2 * YEAR_MS) : start + Math.floor(random() * YEAR_MS);
      const id = `B${String(i + 1).padStart(7, '0')}`;
      const card = `B0${(0x10000000 + i).toString(16).toUpperCase()}`;
      const member: MemberState = { id, store: storeIds[storeIndex]!, storeIndex, createdAt, card, storedValue: 0, points: 0, spend: 0, earned: 0, visits: 0 };
      members.push(member);
      const name = pick<string>(random, SURNAMES) + pick<string>(random, GIVEN) + (random() < 0.6 ? pick<string>(random, GIVEN) : '');
      const phone = `1${3 + Math.floor(random() * 6)}${String(i * 7919 % 1_000_000_000).padStart(9, '0')}`;
      const referrer = i > 100 && random() < 0.1 ? members[Math.floor(random() * i)]!.id : null;
      insertMember.run(id, name, phone, pick(random, TIERS), referrer, new Date(createdAt).toISOString(), member.store);
      insertCard.run(card, id, new Date(createdAt).toISOString());
      if (random() < 0.7) {
        const year = 1950 + Math.floor(random() * 55);
        insertProfile.run(id, random() < 0.55 ? 'female' : 'male', `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`, new Date(createdAt).toISOString());
      }
    }
  })();
  log(`  ${MEMBERS} members`);

  const insertTx = db.prepare(
    `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, member_id, bundle_version, created_at, applied_at, result)
     VALUES (?, ?, ?, '', ?, ?, ?, 'applied', ?, 1, ?, ?, ?)`,
  );
  const insertPurchase = db.prepare('INSERT INTO purchases (tx_id, member_id, record) VALUES (?, ?, ?)');
  const insertJournal = db.prepare('INSERT INTO journal (tx_id, member_id, account, amount, lot_id, bundle_version) VALUES (?, ?, ?, ?, ?, 1)');
  // The demo data's HQ transactions took the first of the hub's own seqs.
  const seqs = new Map((db.prepare("SELECT device_id, max(seq) AS seq FROM transactions WHERE epoch = '' GROUP BY device_id").all() as { device_id: string; seq: number }[]).map((r) => [r.device_id, r.seq]));
  let txNo = 0;
  let journal = 0;
  let purchases = 0;
  const deviceOf = (store: string) => `kiosk-${store}-${random() < 0.5 ? 'a' : 'b'}`;
  const nextSeq = (device: string) => {
    const seq = (seqs.get(device) ?? 0) + 1;
    seqs.set(device, seq);
    return seq;
  };
  // Busy members shop often, the long tail seldom or never in the last months: a churn report has work to do.
  const someMember = () => members[Math.floor(MEMBERS * random() ** 2)]!;
  const timeAfter = (member: MemberState) => {
    const from = Math.max(start, member.createdAt);
    return from + Math.floor(random() * (DATASET_END - from));
  };
    // As the ledger does (hub/ledger/apply-received.ts), a transaction's effects first, then its row: the reports'
  // totals trigger sums the journal and the purchase record when the row is inserted.
  const record = (kind: string, member: MemberState, store: string, at: number, fields: Record<string, unknown>, effects: (txId: string) => void): void => {
    txNo += 1;
    const txId = `BX${String(txNo).padStart(10, '0')}`;
    const device = kind === 'points_expiry' ? 'hq' : deviceOf(store);
    const seq = nextSeq(device);
    const createdAt = new Date(at).toISOString();
    const payload = JSON.stringify({ kind, storeId: store, cardUid: member.card, ...fields, v: 3, id: txId, deviceId: device, epoch: '', seq, createdAt, bundleVersion: 1 });
    const result = JSON.stringify({ id: txId, seq, epoch: '', status: 'applied', recorded: true, outcome: { kind, memberId: member.id } });
    effects(txId);
    insertTx.run(txId, device, seq, kind, `h${txNo}`, payload, member.id, createdAt, createdAt, result);
  };
  const entry = (txId: string, member: MemberState, account: string, amount: number, lot: string | null) => {
    insertJournal.run(txId, member.id, account, amount, lot);
    journal += 1;
  };

  const draw = (write: (member: MemberState, at: number) => void) => {
    const member = someMember();
    const at = timeAfter(member);
    return { at, run: () => write(member, at) };
  };
  const topUp = (member: MemberState, at: number) => {
    const store = random() < 0.85 ? member.store : storeIds[Math.floor(random() * storeIds.length)]!;
    const amount = [10000, 20000, 50000, 100000][Math.floor(random() * 4)]!;
    const bonus = amount >= 50000 && random() < 0.6;
    record('top_up', member, store, at, { amountCents: amount, tender: random() < 0.5 ? 'cash' : 'card', actor: { staffId: `staff-${store}-${1 + Math.floor(random() * 4)}`, sessionId: 'bench' } }, (txId) => {
      entry(txId, member, 'stored_value', amount, null);
      if (bonus) entry(txId, member, 'bonus_value', amount / 10, null);
    });
    member.storedValue += amount;
  };
  const purchase = (member: MemberState, at: number) => {
    const store = random() < 0.85 ? member.store : storeIds[Math.floor(random() * storeIds.length)]!;
    const lines = 1 + Math.floor(random() * 3);
    const payloadLines: { lineNo: number; sku: string; category: string; qty: number; unitPriceCents: number }[] = [];
    const recordLines: { lineNo: number; netCents: number; points: number }[] = [];
    let total = 0;
    for (let n = 1; n <= lines; n += 1) {
      const unit = 500 + Math.floor(random() * 200) * 50;
      const qty = 1 + Math.floor(random() * 2);
      payloadLines.push({ lineNo: n, sku: `SKU${Math.floor(random() * 400)}`, category: random() < 0.5 ? 'grocery' : 'dairy', qty, unitPriceCents: unit });
      recordLines.push({ lineNo: n, netCents: unit * qty, points: Math.floor((unit * qty) / 100) });
      total += unit * qty;
    }
    const points = recordLines.reduce((sum, line) => sum + line.points, 0);
    const byStoredValue = member.storedValue >= total && random() < 0.8;
    record('purchase', member, store, at, { lines: payloadLines, payments: [{ method: byStoredValue ? 'stored_value' : 'cash', amountCents: total }] }, (txId) => {
      const lot = `${txId}:earn`;
      insertPurchase.run(txId, member.id, JSON.stringify({
        txId, memberId: member.id, lines: recordLines, totalCents: total,
        tenders: { cashCents: byStoredValue ? 0 : total, storedValueCents: byStoredValue ? total : 0, bonusValueCents: 0, pointsValueCents: 0, points: 0 },
        lotsConsumed: [], earnedLotId: lot, refundedLineNos: [], visitCounted: true,
      }));
      entry(txId, member, 'points', points, lot);
      if (byStoredValue) entry(txId, member, 'stored_value', -total, null);
    });
    if (byStoredValue) member.storedValue -= total;
    member.points += points;
    member.earned += points;
    member.spend += total;
    member.visits += 1;
    purchases += 1;
  };
  const expiry = (member: MemberState, at: number) => {
    if (member.points < 10) return;
    const expired = Math.floor(member.points / 4);
    record('points_expiry', member, member.store, at, { memberId: member.id }, (txId) => entry(txId, member, 'points', -expired, null));
    member.points -= expired;
  };

  // The year's events are drawn first and written in time order, as a ledger records them: its purchase records
  // and journal then lie in the file in the order a report over a period reads them.
  type Event = { at: number; run: () => void };
  const events: Event[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (let i = 0; i < 15_000; i += 1) events.push(draw(topUp));
    for (let i = 0; i < 50_000; i += 1) events.push(draw(purchase));
    for (let i = 0; i < 3_000; i += 1) events.push(draw(expiry));
  }
  events.sort((a, b) => a.at - b.at);
  for (let start = 0; start < events.length && journal < JOURNAL_ENTRIES; start += 20_000) {
    db.transaction(() => {
      for (const event of events.slice(start, start + 20_000)) if (journal < JOURNAL_ENTRIES) event.run();
    })();
    log(`  ${journal} journal entries`);
  }

  const setMember = db.prepare('UPDATE members SET cumulative_spend_cents = ?, cumulative_points_earned = ?, visits = ? WHERE member_id = ?');
  const setAccount = db.prepare('INSERT INTO accounts (member_id, account, balance) VALUES (?, ?, ?)');
  const bonus = new Map((db.prepare("SELECT member_id, sum(amount) AS total FROM journal WHERE account = 'bonus_value' GROUP BY member_id").all() as { member_id: string; total: number }[]).map((r) => [r.member_id, r.total]));
  const insertLot = db.prepare('INSERT INTO point_lots (lot_id, member_id, remaining, earned_at, expires_at) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const member of members) {
      setMember.run(member.spend, member.earned, member.visits, member.id);
      setAccount.run(member.id, 'stored_value', member.storedValue);
      setAccount.run(member.id, 'points', member.points);
      const bonusValue = bonus.get(member.id);
      if (bonusValue !== undefined) setAccount.run(member.id, 'bonus_value', bonusValue);
      // One lot holds what is left (the expiry sweep's order is not what this dataset measures).
      if (member.points > 0) insertLot.run(`${member.id}:bench`, member.id, member.points, new Date(DATASET_END - YEAR_MS / 2).toISOString(), new Date(DATASET_END + YEAR_MS / 2).toISOString());
    }
    const setSeq = db.prepare("INSERT INTO device_sequences (device_id, epoch, last_seq) VALUES (?, '', ?) ON CONFLICT(device_id, epoch) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)");
    for (const [device, seq] of seqs) setSeq.run(device, seq);
  })();
  // No ANALYZE: a hub never runs it, so its queries are planned without statistics, as here.
  db.close();
  log(`  done: ${purchases} purchases, ${journal} journal entries`);
  return { purchases, journalEntries: journal };
}
