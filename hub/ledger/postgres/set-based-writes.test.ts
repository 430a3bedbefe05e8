/**
 * Set-based writes (set-based-writes.ts): a batch's buffered statements merged into one per table and kind must
 * leave exactly what sending them one by one, in order, leaves — on a real PostgreSQL with the ledger's own schema
 * (its foreign key and the report_hourly trigger included; hub/testing/start-postgres.ts). The differential test
 * runs random sequences of the write port's statements, with members, lots and keys colliding on purpose, both ways.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMigratedPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import { sendInOneRoundTrip } from './one-round-trip-writes.ts';
import { LEDGER_PG_TYPES } from './pg-integer-types.ts';
import { writtenBy } from './pending-writes.ts';
import { IMPLIED_READS, parseTemplate, planSetBased, PRIMARY_KEYS, type BufferedStatement } from './set-based-writes.ts';
import type { SqlValue, WrittenKeys } from './sync-reads.ts';

afterAll(stopPostgres);

// The write port's statements (postgres-write-port.ts), as it buffers them.
const SQL = {
  newLot: 'INSERT INTO point_lots (lot_id, member_id, remaining, earned_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
  lotUpdate: 'UPDATE point_lots SET remaining = remaining + $1 WHERE lot_id = $2 AND member_id = $3',
  journal: 'INSERT INTO journal (tx_id, member_id, account, amount, lot_id, bundle_version) VALUES ($1, $2, $3, $4, $5, $6)',
  account: 'INSERT INTO accounts (member_id, account, balance) VALUES ($1, $2, $3) ON CONFLICT (member_id, account) DO UPDATE SET balance = accounts.balance + excluded.balance',
  visits: 'UPDATE members SET visits = visits + $1 WHERE member_id = $2',
  totals: 'UPDATE members SET cumulative_spend_cents = cumulative_spend_cents + $1, cumulative_points_earned = cumulative_points_earned + $2 WHERE member_id = $3',
  tier: 'UPDATE members SET tier = $1 WHERE member_id = $2',
  newMember: 'INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at, home_store_id) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)',
  card: "INSERT INTO cards (uid, member_id, status, valid_from, valid_until, replaced_by, issued_at, card_type, holder_name) VALUES ($1, $2, 'active', NULL, $3, NULL, $4, $5, $6)",
  cardStatus: 'UPDATE cards SET status = $1, replaced_by = coalesce($2, replaced_by) WHERE uid = $3',
  purchase: 'INSERT INTO purchases (tx_id, member_id, record) VALUES ($1, $2, $3)',
  transaction: `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
  sequence: `INSERT INTO device_sequences (device_id, epoch, last_seq, last_effective_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (device_id, epoch) DO UPDATE SET last_seq = excluded.last_seq, last_effective_at = coalesce(excluded.last_effective_at, device_sequences.last_effective_at)`,
  closeEpoch: `INSERT INTO device_sequences (device_id, epoch, last_seq, closed) VALUES ($1, $2, 0, 1)
       ON CONFLICT (device_id, epoch) DO UPDATE SET closed = 1`,
  trackingSince: 'INSERT INTO schema_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
  codeUse: 'UPDATE redemption_codes SET used_tx_id = $1, used_by_member_id = $2, used_at = $3 WHERE code_hash = $4 AND used_tx_id IS NULL',
};

function statement(sql: string, params: SqlValue[], keys?: WrittenKeys, expectRows?: number): BufferedStatement {
  return { sql, params, written: writtenBy(sql, keys), ...(expectRows === undefined ? {} : { expectRows, what: 'a row' }) };
}

const lot = (id: string, member: string, remaining = 0) => statement(SQL.newLot, [id, member, remaining, '2026-01-01T00:00:00Z', null], { lot_id: id, member_id: member });
const lotUpdate = (id: string, member: string, amount: number) => statement(SQL.lotUpdate, [amount, id, member], { lot_id: id, member_id: member }, 1);
const journal = (tx: string, member: string, amount: number) => statement(SQL.journal, [tx, member, 'points', amount, null, 1], { tx_id: tx, member_id: member });
const transaction = (tx: string, member: string, seq: number) =>
  statement(
    SQL.transaction,
    [tx, 'K1', seq, '', 'purchase', `h${tx}`, JSON.stringify({ storeId: 'S1' }), 'applied', null, member, 1, '2026-01-01T10:00:00Z', '2026-01-01T10:00:01Z', '{}'],
    { tx_id: tx, member_id: member, slot: `K1/${seq}` },
  );

describe('parseTemplate', () => {
  it('takes the port\'s inserts, upserts and updates by primary key, with how two rows of one key combine', () => {
    expect(parseTemplate(SQL.account)).toMatchObject({ kind: 'insert', table: 'accounts', conflictColumns: [0, 1], rules: ['first', 'first', 'sum'] });
    expect(parseTemplate(SQL.sequence)).toMatchObject({ kind: 'insert', rules: ['first', 'first', 'last', 'lastNotNull'] });
    expect(parseTemplate(SQL.closeEpoch)).toMatchObject({ kind: 'insert', rules: ['first', 'first', 'first', 'none'] });
    expect(parseTemplate(SQL.trackingSince)).toMatchObject({ kind: 'insert', rules: ['first', 'first'] });
    expect(parseTemplate(SQL.card)).toMatchObject({ kind: 'insert', conflictColumns: null, values: [{ param: 0 }, { param: 1 }, { constant: "'active'" }, { constant: 'NULL' }, { param: 2 }, { constant: 'NULL' }, { param: 3 }, { param: 4 }, { param: 5 }] });
    expect(parseTemplate(SQL.cardStatus)).toMatchObject({
      kind: 'update',
      sets: [{ column: 'status', rule: 'last' }, { column: 'replaced_by', rule: 'lastNotNull' }],
      where: [{ column: 'uid', param: 2 }],
    });
    expect(parseTemplate(SQL.lotUpdate)).toMatchObject({ kind: 'update', sets: [{ column: 'remaining', rule: 'sum', param: 0 }] });
  });

  it('refuses what it cannot merge: a WHERE beyond key equalities, a table without a known key, a WHERE short of the key, another expression', () => {
    expect(parseTemplate(SQL.codeUse)).toBeNull();
    expect(parseTemplate('UPDATE draw_prizes SET stock_left = stock_left - 1 WHERE draw_id = $1 AND prize_id = $2')).toBeNull();
    expect(parseTemplate('UPDATE accounts SET balance = balance + $1 WHERE member_id = $2')).toBeNull();
    expect(parseTemplate('UPDATE members SET visits = visits * $1 WHERE member_id = $2')).toBeNull();
    expect(parseTemplate('UPDATE members SET tier = $1 WHERE member_id = $1')).toBeNull();
    expect(parseTemplate('INSERT INTO t (a, b) VALUES ($1, $1)')).toBeNull();
    expect(parseTemplate('INSERT INTO t (a) SELECT $1')).toBeNull();
    expect(parseTemplate("DELETE FROM t WHERE a = $1")).toBeNull();
  });
});

describe('planSetBased', () => {
  it("writes a batch of purchases by distinct members as one statement per table and kind, in the trigger's order", () => {
    const writes: BufferedStatement[] = [];
    for (let i = 0; i < 50; i++) {
      const [tx, member] = [`T${i}`, `M${i}`];
      writes.push(lot(`${tx}:earn`, member), journal(tx, member, 10), statement(SQL.account, [member, 'points', 10], { member_id: member }), lotUpdate(`${tx}:earn`, member, 10));
      writes.push(statement(SQL.totals, [100, 10, member], { member_id: member }), statement(SQL.purchase, [tx, member, '{}'], { tx_id: tx, member_id: member }));
      writes.push(transaction(tx, member, i + 1), statement(SQL.sequence, ['K1', '', i + 1, '2026-01-01T10:00:00Z'], { device_id: 'K1' }));
    }
    const planned = planSetBased(writes);
    expect(planned.map((p) => /^(INSERT INTO|UPDATE) (\w+)/.exec(p.sql)?.slice(1).join(' '))).toEqual([
      'INSERT INTO point_lots', 'INSERT INTO journal', 'INSERT INTO accounts', 'UPDATE point_lots', 'UPDATE members', 'INSERT INTO purchases', 'INSERT INTO transactions', 'INSERT INTO device_sequences',
    ]);
    // Each lot's update checked: 50 rows, one per lot.
    expect(planned[3]).toMatchObject({ expectRows: 50 });
    // The device's sequence upserts collapsed into one row: the last seq.
    expect(planned[7]!.sql).toContain("'50'");
    expect(planned[7]!.sql.match(/\('K1'/g)).toHaveLength(1);
  });

  it('never moves a statement ahead of one that touches its rows', () => {
    // Lot L2 is updated before it is inserted (a defect the update's row check must still see), and again after.
    const planned = planSetBased([lot('L1', 'M1'), lotUpdate('L2', 'M1', 5), lot('L2', 'M1'), lotUpdate('L2', 'M1', 7)]);
    expect(planned.map((p) => p.sql.slice(0, 18))).toEqual(['INSERT INTO point_', 'UPDATE point_lots ', 'INSERT INTO point_', 'UPDATE point_lots ']);
    // A journal entry buffered after its transaction's row is not moved ahead of it (the trigger must not see it).
    const withTrigger = planSetBased([journal('T1', 'M1', 1), transaction('T1', 'M1', 1), journal('T1', 'M1', 2), journal('T2', 'M2', 3)]);
    expect(withTrigger.map((p) => p.sql.slice(0, 24))).toEqual(['INSERT INTO journal (tx_', 'INSERT INTO transactions', 'INSERT INTO journal (tx_']);
    // The next entry joins the last journal statement (statements of one kind keep their order), not the first.
    expect(withTrigger[2]!.sql).toContain("'T2'");
    // A card of a member inserted in the same batch comes after the member (its foreign key).
    const withCard = planSetBased([
      statement(SQL.card, ['C0', 'M0', null, 'x', null, null], { uid: 'C0', member_id: 'M0' }),
      statement(SQL.newMember, ['M1', 'n', 'p', 'gold', null, 'x', null], { member_id: 'M1', phone: 'p' }),
      statement(SQL.card, ['C1', 'M1', null, 'x', null, null], { uid: 'C1', member_id: 'M1' }),
    ]);
    expect(withCard.map((p) => p.sql.slice(0, 17))).toEqual(['INSERT INTO cards', 'INSERT INTO membe', 'INSERT INTO cards']);
  });

  it('sends a statement it does not recognise as it is, in its place, and keeps one that cannot collapse apart', () => {
    const code = statement(SQL.codeUse, ['T1', 'M1', 'x', 'H1'], undefined, 1);
    const planned = planSetBased([code, statement(SQL.closeEpoch, ['K1', 'E1'], { device_id: 'K1' }), statement(SQL.closeEpoch, ['K1', 'E1'], { device_id: 'K1' })]);
    expect(planned).toHaveLength(3);
    expect(planned[0]).toMatchObject({ sql: SQL.codeUse, params: ['T1', 'M1', 'x', 'H1'], expectRows: 1 });
  });
});

describe('planSetBased on PostgreSQL: the same rows as one by one', () => {
  let oneByOne: pg.Client;
  let setBased: pg.Client;

  beforeAll(async () => {
    const open = async (name: string) => {
      const url = await freshMigratedPostgresDatabase(name);
      const client = new pg.Client({ connectionString: url, types: LEDGER_PG_TYPES });
      await client.connect();
      for (let m = 0; m < 4; m++) {
        await client.query("INSERT INTO members (member_id, name, phone, tier, created_at, home_store_id) VALUES ($1, 'n', 'p', 'silver', 'x', $2)", [`M${m}`, m % 2 ? 'S2' : null]);
        await client.query("INSERT INTO cards (uid, member_id, status, issued_at) VALUES ($1, $2, 'active', 'x')", [`C${m}`, `M${m}`]);
        await client.query("INSERT INTO point_lots (lot_id, member_id, remaining, earned_at) VALUES ($1, $2, 5, 'x')", [`L${m}`, `M${m}`]);
      }
      return client;
    };
    [oneByOne, setBased] = [await open('one_by_one'), await open('set_based')];
  });

  afterAll(async () => {
    await oneByOne?.end();
    await setBased?.end();
  });

  /** What the writes leave: every table they write, journal in entry order (without the serial ids). */
  async function contents(client: pg.Client): Promise<Record<string, unknown[]>> {
    const read = async (sql: string): Promise<unknown[]> => (await client.query<Record<string, unknown>>(sql)).rows;
    return {
      members: await read('SELECT * FROM members ORDER BY member_id'),
      cards: await read('SELECT * FROM cards ORDER BY uid'),
      lots: await read('SELECT * FROM point_lots ORDER BY lot_id'),
      accounts: await read('SELECT * FROM accounts ORDER BY member_id, account'),
      journal: await read('SELECT tx_id, member_id, account, amount, lot_id, bundle_version FROM journal ORDER BY entry_id'),
      purchases: await read('SELECT * FROM purchases ORDER BY tx_id'),
      transactions: await read('SELECT * FROM transactions ORDER BY tx_id'),
      sequences: await read('SELECT * FROM device_sequences ORDER BY device_id, epoch'),
      reportHourly: await read('SELECT * FROM report_hourly ORDER BY store_id, hour, device_id'),
      meta: await read("SELECT * FROM schema_meta WHERE key LIKE 'test%' ORDER BY key"),
    };
  }

  it('leaves the same rows, row counts and report totals for random batches with colliding keys', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const writes = randomWrites(seed, 80);
      await oneByOne.query('BEGIN');
      await setBased.query('BEGIN');
      try {
        const counts: number[] = [];
        for (const w of writes) counts.push((await oneByOne.query(w.sql, [...w.params])).rowCount ?? 0);
        // The generator only updates rows that exist: every checked statement changed its row.
        for (const [i, w] of writes.entries()) if (w.expectRows !== undefined) expect(counts[i], `seed ${seed}, statement ${i}`).toBe(w.expectRows);
        const planned = planSetBased(writes);
        expect(planned.length, `seed ${seed}: merged`).toBeLessThan(writes.length);
        const changed = await sendInOneRoundTrip(setBased, planned);
        for (const [i, p] of planned.entries()) if (p.expectRows !== undefined) expect(changed[i], `seed ${seed}, planned ${i}`).toBe(p.expectRows);
        expect(await contents(setBased), `seed ${seed}`).toEqual(await contents(oneByOne));
      } finally {
        await oneByOne.query('ROLLBACK');
        await setBased.query('ROLLBACK');
      }
    }
  });

  it('fails the merged statement on a key taken twice, as one by one fails', async () => {
    const writes = [statement(SQL.purchase, ['T1', 'M1', '{}'], { tx_id: 'T1' }), journal('T1', 'M1', 1), statement(SQL.purchase, ['T1', 'M1', '{}'], { tx_id: 'T1' })];
    await setBased.query('BEGIN');
    try {
      await expect(sendInOneRoundTrip(setBased, planSetBased(writes))).rejects.toMatchObject({ code: '23505' });
    } finally {
      await setBased.query('ROLLBACK');
    }
  });

  it('knows every foreign key and trigger of the tables the write port writes', async () => {
    const source = ['postgres-write-port.ts', 'postgres-effect-writes.ts', 'postgres-codes-draws.ts'].map((file) => readFileSync(new URL(file, import.meta.url), 'utf8')).join('\n');
    const written = [...new Set([...source.matchAll(/\b(?:INSERT INTO|UPDATE) ([a-z_]+)\b/g)].map((m) => m[1]!))].filter((t) => t !== 'set');
    expect(written).toEqual(expect.arrayContaining(['transactions', 'journal', 'members', 'cards', 'redemption_codes', 'draw_prizes']));
    const { rows: keys } = await setBased.query<{ child: string; parent: string }>(
      "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1)",
      [written],
    );
    for (const { child, parent } of keys) expect(IMPLIED_READS[child]?.map((r) => r.table), `${child} references ${parent}`).toContain(parent);
    const { rows: triggers } = await setBased.query<{ name: string }>(
      "SELECT tgrelid::regclass::text || '.' || tgname AS name FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY($1) ORDER BY 1",
      [written],
    );
    // report_hourly_count reads the transaction's journal, purchase and member (IMPLIED_READS.transactions); the
    // append-only guards refuse updates and deletes and read nothing. A new trigger must be weighed here.
    expect(triggers.map((t) => t.name)).toEqual(['audit_log.audit_log_append_only', 'member_consents.member_consents_append_only', 'transactions.report_hourly_count']);
  });

  it('names exactly the primary keys the schema has', async () => {
    for (const [table, columns] of Object.entries(PRIMARY_KEYS)) {
      const { rows } = await setBased.query<{ column_name: string }>(
        `SELECT a.attname AS column_name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attname`,
        [table],
      );
      expect(rows.map((r) => r.column_name), table).toEqual([...columns].sort());
    }
  });
});

/** A seeded sequence of the port's statements over few members, lots, cards and devices, so keys collide. */
function randomWrites(seed: number, count: number): BufferedStatement[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const amount = () => Math.floor(random() * 200) - 50;
  const members = ['M0', 'M1', 'M2', 'M3'];
  const lots = ['L0', 'L1', 'L2', 'L3'].map((id, i) => ({ id, member: members[i]! }));
  const cards = ['C0', 'C1', 'C2', 'C3'];
  const txs: string[] = [];
  const recorded = new Set<string>();
  let newMembers = 0;
  let seq = 0;
  const writes: BufferedStatement[] = [];
  while (writes.length < count) {
    const member = pick(members);
    switch (pick(['lot', 'lotUpdate', 'journal', 'journal', 'account', 'account', 'visits', 'totals', 'tier', 'newMember', 'cardStatus', 'purchase', 'transaction', 'sequence', 'meta'])) {
      case 'lot': {
        const id = `N${writes.length}`;
        lots.push({ id, member });
        writes.push(lot(id, member, amount()));
        break;
      }
      case 'lotUpdate': {
        const target = pick(lots);
        writes.push(lotUpdate(target.id, target.member, amount()));
        break;
      }
      case 'journal': {
        let tx = `T${writes.length}`;
        if (txs.length > 0 && random() < 0.7) tx = pick(txs);
        else txs.push(tx);
        writes.push(journal(tx, member, amount()));
        break;
      }
      case 'account':
        writes.push(statement(SQL.account, [member, pick(['points', 'stored_value']), amount()], { member_id: member }));
        break;
      case 'visits':
        writes.push(statement(SQL.visits, [1, member], { member_id: member }));
        break;
      case 'totals':
        writes.push(statement(SQL.totals, [amount(), amount(), member], { member_id: member }));
        break;
      case 'tier':
        writes.push(statement(SQL.tier, [pick(['gold', 'silver', 'platinum']), member], { member_id: member }));
        break;
      case 'newMember': {
        const id = `NM${newMembers++}`;
        writes.push(statement(SQL.newMember, [id, 'n', 'p', 'gold', null, 'x', pick(['S1', null])], { member_id: id, phone: 'p' }));
        members.push(id);
        const uid = `NC${id}`;
        writes.push(statement(SQL.card, [uid, id, null, 'x', null, null], { uid, member_id: id }));
        cards.push(uid);
        break;
      }
      case 'cardStatus': {
        const uid = pick(cards);
        writes.push(statement(SQL.cardStatus, [pick(['active', 'blocked']), pick([null, 'R1', 'R2']), uid], { uid }));
        break;
      }
      case 'purchase': {
        const tx = `P${writes.length}`;
        txs.push(tx);
        writes.push(statement(SQL.purchase, [tx, member, JSON.stringify({ totalCents: 100 + writes.length })], { tx_id: tx, member_id: member }));
        break;
      }
      case 'transaction': {
        const tx = txs.find((t) => !recorded.has(t));
        if (!tx) break;
        recorded.add(tx);
        writes.push(transaction(tx, member, ++seq));
        break;
      }
      case 'sequence': {
        const device = pick(['K1', 'K2']);
        writes.push(statement(SQL.sequence, [device, '', ++seq, pick([null, `2026-01-0${1 + Math.floor(random() * 9)}`])], { device_id: device }));
        break;
      }
      case 'meta':
        writes.push(statement(SQL.trackingSince, [pick(['test-a', 'test-b']), `v${writes.length}`]));
        break;
    }
  }
  return writes;
}
