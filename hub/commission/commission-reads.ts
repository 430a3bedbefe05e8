/**
 * The commission port: what a period's staff commission report reads from the ledger (docs/ACCOUNTS.md, "Staff
 * commission (员工提成)"). A back end answers with the applied transactions that name a staff member, as
 * core/commission/commission-items.ts reads them; the report (commission-report.ts) prices them.
 */
import type { CommissionSource } from '../../core/commission/commission-items.ts';

export interface CommissionReads {
  /**
   * Every applied transaction dated in [fromIso, toIso) (the ledger's created_at, UTC ISO) that a staff member is
   * credited with: purchases naming `actor`, refunds of such purchases (credited to the original seller), and any
   * other transaction naming `actor`.
   */
  commissionSources(fromIso: string, toIso: string): Promise<CommissionSource[]>;
}
