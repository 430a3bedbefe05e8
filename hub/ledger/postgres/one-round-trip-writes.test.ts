/**
 * The writes' one round trip (one-round-trip-writes.ts): parameters inlined as quoted literals must mean what they
 * meant as parameters, on a real PostgreSQL (hub/testing/start-postgres.ts).
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import { escapeLiteral, inlineParameters, queryInOneRoundTrip, sendInOneRoundTrip, textArray } from './one-round-trip-writes.ts';

afterAll(stopPostgres);

describe('inlineParameters', () => {
  it('replaces $10 as a whole, leaves quoted text alone and quotes every value', () => {
    const params = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'ten'];
    expect(inlineParameters("SELECT $10, $1, '$2', \"$3\"", params)).toBe(`SELECT 'ten', 'a', '$2', "$3"`);
    expect(inlineParameters('UPDATE t SET n = n -$1 WHERE k = $2', [-5, null])).toBe("UPDATE t SET n = n -'-5' WHERE k = NULL");
    expect(inlineParameters('SELECT $1', ["it's"])).toBe("SELECT 'it''s'");
  });

  it("escapes exactly as pg.escapeLiteral does, with or without backslashes", () => {
    for (const text of ['', 'plain', "it's", 'back\\slash', "both ' and \\ and ''", '中文 {"a":"\\u0041"}\n']) expect(escapeLiteral(text)).toBe(pg.escapeLiteral(text));
  });

  it('refuses a $n without its value and a number that is not finite', () => {
    expect(() => inlineParameters('SELECT $2', ['only one'])).toThrow(/\$2/);
    expect(() => inlineParameters('SELECT $1', [Number.NaN])).toThrow(/NaN/);
  });
});

describe('sendInOneRoundTrip on PostgreSQL', () => {
  it('writes text byte for byte and numbers as numbers, answers each statement\'s row count, in one query', async () => {
    const client = new pg.Client({ connectionString: await freshPostgresDatabase('inline') });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT NOT NULL, note TEXT)');
      const awkward = "quote ' backslash \\ newline \n tab \t $1 -- not a comment; 中文 {\"json\":\"\\u0041\"}";
      let queries = 0;
      const query = client.query.bind(client);
      (client as { query: unknown }).query = (...args: Parameters<typeof query>) => {
        queries++;
        return query(...args);
      };
      const counts = await sendInOneRoundTrip(client, [
        { sql: 'INSERT INTO t (k, n, note) VALUES ($1, $2, $3)', params: ['a', 9_007_199_254_740_991, awkward] },
        { sql: 'INSERT INTO t (k, n, note) VALUES ($1, $2, $3)', params: ['b', -7, null] },
        { sql: 'UPDATE t SET n = n -$1 WHERE k = $2', params: [-3, 'b'] },
        { sql: 'UPDATE t SET n = n + $1 WHERE k = $2', params: [1, 'nobody'] },
      ]);
      expect(queries).toBe(1);
      expect(counts).toEqual([1, 1, 1, 0]);
      const rows = (await query<{ k: string; n: string; note: string | null }>('SELECT k, n, note FROM t ORDER BY k')).rows;
      expect(rows).toEqual([
        { k: 'a', n: '9007199254740991', note: awkward },
        { k: 'b', n: '-4', note: null },
      ]);
    } finally {
      await client.end();
    }
  });

  it('answers several reads in one query, a text[] literal reading back as the strings it was made of', async () => {
    const client = new pg.Client({ connectionString: await freshPostgresDatabase('inline') });
    await client.connect();
    try {
      const awkward = ['a"b', 'c\\d', 'x,y', '', '{}', "it's", 'NULL'];
      const [first, second] = await queryInOneRoundTrip(client, [
        { sql: 'SELECT unnest($1::text[]) AS v', params: [textArray(awkward)] },
        { sql: 'SELECT $1::bigint AS n', params: [42] },
      ]);
      expect(first!.map((r) => r.v)).toEqual(awkward);
      expect(second).toEqual([{ n: '42' }]);
    } finally {
      await client.end();
    }
  });

  it('stops at the first failing statement and throws it as pg does', async () => {
    const client = new pg.Client({ connectionString: await freshPostgresDatabase('inline') });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (k TEXT PRIMARY KEY)');
      await client.query('BEGIN');
      const sent = sendInOneRoundTrip(client, [
        { sql: 'INSERT INTO t (k) VALUES ($1)', params: ['x'] },
        { sql: 'INSERT INTO t (k) VALUES ($1)', params: ['x'] },
        { sql: 'INSERT INTO t (k) VALUES ($1)', params: ['y'] },
      ]);
      await expect(sent).rejects.toMatchObject({ code: '23505' });
      await client.query('ROLLBACK');
      expect((await client.query('SELECT k FROM t')).rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
