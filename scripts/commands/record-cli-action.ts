/**
 * Every fleet and configuration change made on the command line goes into the hub's append-only audit log, as
 * the same changes through the hub API do: who (the operating-system user running the command), when, what, and
 * what it became. Secrets (an enrolment code, a key) are never in it. A hub whose ledger does not exist yet (never
 * started) has no log to write to: the command says so on stderr and the change itself stands.
 */
import { userInfo } from 'node:os';
import type { HubTarget } from './with-fleet.ts';
import { withLedger } from './with-ledger.ts';

export interface CliAction {
  action: string;
  target: string | null;
  after?: Record<string, unknown> | null;
  detail?: Record<string, unknown> | null;
}

export async function recordCliAction(target: HubTarget | string, entry: CliAction): Promise<void> {
  const { dataDir, db } = typeof target === 'string' ? { dataDir: target, db: undefined } : target;
  await withLedger(
    'audit',
    dataDir,
    (ledger) =>
    ledger.identity.appendAudit({
      at: new Date().toISOString(),
      actorKind: 'cli',
      actorId: userInfo().username,
      surface: 'cli',
      action: entry.action,
      target: entry.target,
      outcome: 'ok',
      before: null,
      after: entry.after ?? null,
      detail: entry.detail ?? null,
    }),
    db,
  );
}
