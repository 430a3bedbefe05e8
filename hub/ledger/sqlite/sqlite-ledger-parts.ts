/**
 * The stores the SQLite ledger offers beside its transactions — staff and sessions, credit, codes and draws, the
 * console's member pages, profiles, imports, retention, the flows' reads and messages, commissions — all on the
 * ledger's one database connection, made together when the ledger opens and dropped together when it closes.
 */
import type { Database as DatabaseHandle } from 'better-sqlite3';
import type { AutomationReads } from '../../automation/member-reads.ts';
import type { CommissionReads } from '../../commission/commission-reads.ts';
import { createSqliteCommissionReads } from '../../commission/sqlite-commission-reads.ts';
import type { MessagingStore } from '../../messaging/outbound-messages.ts';
import { createSqliteMessagingStore } from '../../messaging/sqlite-messaging-store.ts';
import type { HqTransactionBody } from '../ledger-store.ts';
import type { MemberConsoleStore } from '../member-console-store.ts';
import type { MemberImportStore } from '../member-import-store.ts';
import type { MemberProfileStore } from '../member-profile-store.ts';
import type { RetentionStore } from '../retention-store.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { createSqliteAutomationReads } from './automation-reads.ts';
import type { RowReaders } from './row-readers.ts';
import { SqliteCodesAndDraws } from './sqlite-codes-draws.ts';
import { SqliteCredit } from './sqlite-credit.ts';
import { SqliteIdentityStore } from './sqlite-identity-store.ts';
import { createSqliteMemberConsole } from './sqlite-member-console.ts';
import { createSqliteMemberImport } from './sqlite-member-import.ts';
import { createSqliteMemberProfiles } from './sqlite-member-profiles.ts';
import { createSqliteRetention } from './sqlite-retention.ts';

export interface SqliteLedgerParts {
  identity: SqliteIdentityStore;
  codesAndDraws: SqliteCodesAndDraws;
  credit: SqliteCredit;
  commission: CommissionReads;
  memberConsole: MemberConsoleStore;
  memberProfiles: MemberProfileStore;
  memberImports: MemberImportStore;
  retention: RetentionStore;
  automation: AutomationReads;
  messaging: MessagingStore;
}

export interface SqliteLedgerPartsContext {
  reader: () => RowReaders;
  /** The ledger's own HQ apply: imported members' opening balances are HQ transactions. */
  applyHq: (bodies: HqTransactionBody[], createdAt: string | undefined) => TxResult[];
  /** Called as an import's database transaction begins; what it returns is called if that transaction rolls back. */
  beforeImportTransaction: () => () => void;
}

export function openSqliteLedgerParts(db: DatabaseHandle, context: SqliteLedgerPartsContext): SqliteLedgerParts {
  return {
    identity: new SqliteIdentityStore(db),
    codesAndDraws: new SqliteCodesAndDraws(db),
    credit: new SqliteCredit(db),
    commission: createSqliteCommissionReads(db),
    memberConsole: createSqliteMemberConsole(db, context.reader),
    memberProfiles: createSqliteMemberProfiles(db),
    // Members imported go through the ledger's own HQ apply, nested in the import's one database transaction.
    memberImports: createSqliteMemberImport(db, { applyHq: context.applyHq, beforeTransaction: context.beforeImportTransaction }),
    retention: createSqliteRetention(db),
    automation: createSqliteAutomationReads(db),
    messaging: createSqliteMessagingStore(db),
  };
}
