/**
 * The last MemberView seen for each card, for showing a member while the hub is unreachable.
 *
 * Stored in SQLite (a table in the device's data file, on its own connection) rather than lowdb: lowdb
 * rewrites the whole JSON file on every write, which grows with every member who ever tapped at this kiosk,
 * while SQLite updates one row. The cache is not money: its connection runs synchronous=NORMAL, so a power
 * cut may lose the last few cache writes (the next online tap restores them), and it never slows the
 * outbox, whose own connection keeps synchronous=FULL.
 */
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../core/errors/codes.ts';
import { memberViewSchema, type MemberView } from '../../core/wire/lookup.ts';
import type { Balances } from '../../core/wire/result.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';

export interface CachedMember {
  member: MemberView;
  /** When the hub produced this view (MemberView.asOf). */
  asOf: string;
  /** When this kiosk stored it. */
  storedAt: string;
}

export interface MemberCache {
  get(cardUid: string): CachedMember | null;
  put(cardUid: string, member: MemberView): void;
  /** Applies balances the hub reported in a tx result, so the offline view is not older than necessary. */
  updateBalances(cardUid: string, update: { balances: Balances; tier?: string; asOf: string }): void;
  size(): number;
  close(): void;
}

export interface OpenMemberCacheOptions {
  path: string;
  logger: Logger;
  now?: () => number;
}

export function openMemberCache(opts: OpenMemberCacheOptions): MemberCache {
  const now = opts.now ?? Date.now;
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS member_cache (
    card_uid TEXT PRIMARY KEY,
    member TEXT NOT NULL,
    as_of TEXT NOT NULL,
    stored_at TEXT NOT NULL
  ) STRICT`);
  const select = db.prepare<[string], { member: string; as_of: string; stored_at: string }>(
    `SELECT member, as_of, stored_at FROM member_cache WHERE card_uid = ?`,
  );
  const upsert = db.prepare<[string, string, string, string]>(
    `INSERT INTO member_cache (card_uid, member, as_of, stored_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (card_uid) DO UPDATE SET member = excluded.member, as_of = excluded.as_of, stored_at = excluded.stored_at
     WHERE excluded.as_of >= member_cache.as_of`,
  );
  const count = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM member_cache`);

  function get(cardUid: string): CachedMember | null {
    const row = select.get(cardUid);
    if (!row) return null;
    const parsed = memberViewSchema.safeParse(JSON.parse(row.member));
    if (!parsed.success) {
      opts.logger.warn({ code: 'MEMBER_CACHE_UNREADABLE' satisfies ErrorCode, card: maskCardUid(cardUid) }, 'cached member does not parse; ignored');
      return null;
    }
    return { member: parsed.data, asOf: row.as_of, storedAt: row.stored_at };
  }

  function put(cardUid: string, member: MemberView): void {
    // Older views never overwrite newer ones (a slow answer arriving after a fresher result).
    upsert.run(cardUid, JSON.stringify(member), member.asOf, new Date(now()).toISOString());
  }

  return {
    get,
    put,
    updateBalances(cardUid, update) {
      const cached = get(cardUid);
      if (!cached) return;
      put(cardUid, { ...cached.member, balances: update.balances, tier: update.tier ?? cached.member.tier, asOf: update.asOf });
    },
    size: () => count.get()?.n ?? 0,
    close: () => db.close(),
  };
}
