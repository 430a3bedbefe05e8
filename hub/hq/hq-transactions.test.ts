/**
 * HQ transactions take their seq inside the database transaction that applies them. Two processes writing
 * HQ top-ups to the same ledger file at the same time (as two hub workers, or the console and a sweep, would)
 * must both have every transaction applied, under distinct seqs, with nothing refused for a seq the other took.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { hqAdminLogin } from '../testing/staff-actor.ts';
import type { StaffActor } from '../../core/wire/transaction.ts';

const EACH = 150;

function writer(path: string, startAt: number, actor: StaffActor): Promise<{ code: number | null; out: string }> {
  const script = `
    import pino from 'pino';
    import { openLedger } from ${JSON.stringify(new URL('../ledger/open-ledger.ts', import.meta.url).pathname)};
    import { submitHqTransaction } from ${JSON.stringify(new URL('./hq-transactions.ts', import.meta.url).pathname)};
    import { DEFAULT_RULES_BUNDLE } from ${JSON.stringify(new URL('../../core/rules/default-bundle.ts', import.meta.url).pathname)};
    const store = await openLedger({ kind: 'sqlite', path: process.argv[1], logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    // Both writers start together, so their transactions interleave.
    while (Date.now() < Number(process.argv[2])) {}
    const statuses = [];
    for (let i = 0; i < ${EACH}; i++) {
      const result = await submitHqTransaction(store, { kind: 'top_up', storeId: ${JSON.stringify(DEMO_STORE_ID)}, cardUid: ${JSON.stringify(DEMO_CARDS.standard)}, amountCents: 100, tender: 'cash', actor: JSON.parse(process.argv[3]) });
      statuses.push(result.status + (result.code ? ':' + result.code : ''));
    }
    await store.close();
    process.stdout.write(JSON.stringify(statuses));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path, String(startAt), JSON.stringify(actor)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('HQ transactions from two processes on one ledger file', () => {
  it('applies every one of them under its own seq', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-hq-'));
    const path = join(dir, 'ledger.sqlite');
    try {
      const store = await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
      await seedDemoData(store);
      // Both writers act as the demo HQ admin, signed in once (one session, used by two processes).
      const { actor } = await hqAdminLogin(store);
      const seeded = await store.lastSeq('hq');
      const before = (await store.memberViewByCard(DEMO_CARDS.standard))!.balances.storedValueCents;
      await store.close();

      const startAt = Date.now() + 2_500;
      const [a, b] = await Promise.all([writer(path, startAt, actor), writer(path, startAt, actor)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const statuses = [...(JSON.parse(a.out) as string[]), ...(JSON.parse(b.out) as string[])];
      expect(statuses.filter((s) => s !== 'applied')).toEqual([]);

      const db = new Database(path, { readonly: true });
      const seqs = db.prepare<[], { seq: number }>("SELECT seq FROM transactions WHERE device_id = 'hq' ORDER BY seq").all().map((r) => r.seq);
      db.close();
      expect(seqs).toEqual(Array.from({ length: seeded + 2 * EACH }, (_, i) => i + 1));
      const after = await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
      expect((await after.memberViewByCard(DEMO_CARDS.standard))!.balances.storedValueCents).toBe(before + 2 * EACH * 100);
      expect(await after.audit()).toEqual([]);
      await after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
