/**
 * A registration's consents on the PostgreSQL ledger, read straight from member_consents: the contract's section
 * "registration consents" reads them through ledger.memberProfiles, which is not ported to PostgreSQL yet, so this
 * file checks the write path's part (written with the registration, once; none for a refusal) until it is.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import { DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { freshPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import type { Ledger } from '../ledger.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import { openLedger } from '../open-ledger.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

describe("a registration's consents on the PostgreSQL ledger (read from member_consents: the memberProfiles store is not ported yet)", () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });
  afterAll(stopPostgres);

  it('records the consents given on the kiosk with the registration, once: a resend adds none, a refusal leaves none', async () => {
    const url = await freshPostgresDatabase('consents');
    const store: Ledger = await openLedger({ kind: 'postgres', url, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
    closing.push(() => store.close());
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    closing.push(() => client.end());
    await seedDemoData(store);
    await store.identity.setDeviceStore('kiosk-c', DEMO_STORE_ID);

    let seq = 0;
    const register = (body: Record<string, unknown>) => {
      const payload = { v: TX_FORMAT, id: nextId(), deviceId: 'kiosk-c', epoch: 'E1', seq: ++seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'register_member', ...body };
      return { payload, raw: JSON.stringify(payload) };
    };
    const apply = async (raw: string): Promise<TxResult> => (await store.applyBatch([{ topicDeviceId: 'kiosk-c', parsed: parseLedgerTransaction(raw) }]))[0]!;
    const consentsOf = async (memberId: string) =>
      (await client.query<{ purpose: string; granted: number; at: string; staff_id: string; note: string | null }>(
        'SELECT purpose, granted, at, staff_id, note FROM member_consents WHERE member_id = $1 ORDER BY consent_id',
        [memberId],
      )).rows;

    const consents = [{ purpose: 'terms', granted: true }, { purpose: 'marketing', granted: false }];
    const tx = register({ cardUid: 'C0C0C0C0C0C0', name: '白露', phone: '13900000021', consents });
    const first = await apply(tx.raw);
    expect(first.status).toBe('applied');
    const memberId = first.outcome!.memberId;
    const recorded = await consentsOf(memberId);
    expect(recorded.map((c) => [c.purpose, c.granted, c.at, c.staff_id])).toEqual([
      ['membership', 1, tx.payload.createdAt, 'device:kiosk-c'],
      ['marketing_sms', 0, tx.payload.createdAt, 'device:kiosk-c'],
    ]);
    expect(recorded.every((c) => c.note?.includes(tx.payload.id))).toBe(true);
    expect(await apply(tx.raw)).toMatchObject({ status: 'exists', original: 'applied' });
    expect(await consentsOf(memberId)).toEqual(recorded);

    const refused = register({ cardUid: 'C1C1C1C1C1C1', name: '白露', phone: '13900000021', consents });
    expect(await apply(refused.raw)).toMatchObject({ status: 'rejected', code: 'MEMBER_PHONE_TAKEN' });
    expect(await consentsOf(`M-${refused.payload.id}`)).toEqual([]);
    const older = await apply(register({ cardUid: 'C2C2C2C2C2C2', name: 'Old Kiosk', phone: '13900000022' }).raw);
    expect(older.status).toBe('applied');
    expect(await consentsOf(older.outcome!.memberId)).toEqual([]);
    expect(await store.audit()).toEqual([]);
  });
});
