/**
 * The hub's database: SQLite in DATA/ledger.sqlite and DATA/fleet.sqlite (the default, a single hub), or PostgreSQL
 * (issue 15), which then holds the ledger and the fleet, its signed configuration and the device registry alike
 * (hub/db/open-hub-stores.ts), so several hub workers share them (docs/OPERATIONS.md, "Moving a hub to PostgreSQL").
 */
import { z } from 'zod';
import { redactBrokerUrl } from '../mqtt/redact-broker-url.ts';

export const hubDbSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('sqlite') }),
    /** postgres://user@host:port/database; the password from PGPASSWORD (read by pg) or the URL. */
    z.object({ kind: z.literal('postgres'), url: z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'a postgres://user@host:port/database URL') }),
  ])
  .default({ kind: 'sqlite' });
export type HubDb = z.output<typeof hubDbSchema>;

/** The database as logs and the console may show it: the URL without its password, if it carries one. */
export function describeHubDb(db: HubDb): string {
  return db.kind === 'sqlite' ? 'sqlite (DATA/ledger.sqlite)' : redactBrokerUrl(db.url);
}
