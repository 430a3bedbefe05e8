/**
 * `memberkiosk codes` and `memberkiosk draws` on a hub's data directory, each as a real process: a batch
 * generated once to a new 0600 file, checked; a draw created, opened, entered through the ledger, closed and
 * verified — and the verification failing once an outcome in the database is changed by hand.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { parseLedgerTransaction } from '../../hub/ledger/ledger-parse.ts';
import { memberkiosk } from './test-support/run-memberkiosk.ts';
import { seededHubDataDir, type SeededHubDataDir } from './test-support/seeded-hub-data-dir.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

describe('memberkiosk codes and draws (real processes)', () => {
  let data: SeededHubDataDir;

  beforeEach(async () => {
    data = await seededHubDataDir('mk-codes-cli-');
  });

  afterEach(async () => {
    expect(await data.audit()).toEqual([]);
    data.cleanup();
  });

  it('generates a batch once to a new 0600 file, lists it, and checks codes (genuine, typo, unknown)', () => {
    expect(memberkiosk('codes', '--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: memberkiosk codes /) as unknown });
    const out = join(data.root, 'labels.csv');
    const made = memberkiosk('codes', 'generate', '--batch', 'label-1', '--sku', 'TEA-500G', '--points', '100', '--count', '3', '--expires', '2099-12-31', '--out', out, '--data', data.hub);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(made.stdout)).toMatchObject({ name: 'label-1', sku: 'TEA-500G', points: 100, count: 3, expiresAt: '2100-01-01T00:00:00.000Z', createdBy: expect.stringMatching(/^cli:/) as unknown });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('code,batch,sku,points,expires_at');
    expect(lines).toHaveLength(4);
    const code = lines[1]!.split(',')[0]!;
    // Never printed twice: the same file is refused before anything is made.
    expect(memberkiosk('codes', 'generate', '--batch', 'label-2', '--sku', 'X', '--points', '1', '--count', '1', '--expires', '2099-12-31', '--out', out, '--data', data.hub)).toMatchObject({ code: 2 });
    expect(JSON.parse(memberkiosk('codes', 'list', '--data', data.hub).stdout)).toEqual([expect.objectContaining({ name: 'label-1', count: 3, used: 0 })]);
    expect(memberkiosk('codes', 'verify', code, '--data', data.hub)).toMatchObject({ code: 0, stdout: expect.stringContaining('"genuine"') as unknown });
    const typo = memberkiosk('codes', 'verify', code.slice(0, -1) + (code.endsWith('0') ? '1' : '0'), '--data', data.hub);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('CODE_CHECK_DIGIT');
    expect(memberkiosk('codes', 'verify', '0000-0000-0000-0000-0', '--data', data.hub)).toMatchObject({ code: 1, stdout: expect.stringContaining('"unknown"') as unknown });
    expect(memberkiosk('codes', 'list', '--data', join(data.root, 'nowhere'))).toMatchObject({ code: 2 });
  });

  it('creates, opens, closes and verifies a draw; a hand-changed outcome fails the verification', async () => {
    const file = join(data.root, 'draw.json');
    writeFileSync(file, JSON.stringify({
      drawId: 'spring', name: 'Spring draw', costPoints: 10, closesAt: '2099-01-01T00:00:00.000Z', noPrizeWeight: 60,
      prizes: [{ prizeId: 'mug', name: 'Mug', kind: 'gift', weight: 10, stock: 3 }, { prizeId: 'p20', name: '20 points', kind: 'points', points: 20, weight: 30, stock: 100 }],
      secondChance: [{ prizeId: 'tv', name: 'TV', count: 1 }],
    }));
    const created = memberkiosk('draws', 'create', '--file', file, '--data', data.hub);
    expect(created.code).toBe(0);
    const commitment = (JSON.parse(created.stdout) as { seedSha256: string }).seedSha256;
    expect(memberkiosk('draws', 'open', 'spring', '--data', data.hub)).toMatchObject({ code: 0 });
    await data.withLedger(async (ledger) => {
      const batch = Array.from({ length: 30 }, (_, i) => {
        const payload = { v: TX_FORMAT, id: nextId(), deviceId: 'kiosk-cli', epoch: 'E1', seq: i + 1, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'draw_enter', cardUid: DEMO_CARDS.diamond, drawId: 'spring' };
        return { topicDeviceId: 'kiosk-cli', parsed: parseLedgerTransaction(JSON.stringify(payload)) };
      });
      expect((await ledger.applyBatch(batch)).every((r) => r.status === 'applied')).toBe(true);
    });
    const closed = memberkiosk('draws', 'close', 'spring', '--data', data.hub);
    expect(closed.code).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ status: 'closed', seedSha256: commitment, seed: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, entries: 30 });
    const entries = JSON.parse(memberkiosk('draws', 'entries', 'spring', '--data', data.hub).stdout) as { entries: { txId: string; prizeId: string | null }[]; winners: unknown[] };
    expect(entries.entries).toHaveLength(30);
    expect(entries.winners).toHaveLength(1);
    const verified = memberkiosk('draws', 'verify', 'spring', '--data', data.hub);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ drawId: 'spring', ok: true, commitmentHolds: true, entriesChecked: 30, mismatches: [] });
    // Someone with the database gives a losing entry the mug: the seed says otherwise.
    const loser = entries.entries.find((e) => e.prizeId === null)!;
    const db = new Database(join(data.hub, 'ledger.sqlite'));
    db.prepare("UPDATE draw_entries SET prize_id = 'mug' WHERE tx_id = ?").run(loser.txId);
    db.close();
    const caught = memberkiosk('draws', 'verify', 'spring', '--data', data.hub);
    expect(caught.code).toBe(1);
    expect((JSON.parse(caught.stdout) as { mismatches: string[] }).mismatches).toEqual([expect.stringContaining(loser.txId)]);
    expect(memberkiosk('draws', 'verify', 'nope', '--data', data.hub)).toMatchObject({ code: 2 });
    expect(JSON.parse(memberkiosk('draws', 'list', '--status', 'closed', '--data', data.hub).stdout)).toEqual([expect.objectContaining({ drawId: 'spring' })]);
  });
});
