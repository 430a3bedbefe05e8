/** One line of the append-only audit log: who did what, from where, and what changed. */
export interface AuditEntryInput {
  at: string;
  /** 'staff' (a staff account), 'device' (an enrolled kiosk), 'cli' (someone with the hub's data directory), 'system'. */
  actorKind: 'staff' | 'device' | 'cli' | 'system';
  actorId: string;
  /** Where it was done: 'hub' (HTTP API or console), 'kiosk:<id>', 'cli'. */
  surface: string;
  /** e.g. 'staff.sign_in', 'tx.top_up', 'staff.create'. */
  action: string;
  target: string | null;
  /** 'ok', 'applied', 'refused:<CODE>', 'rejected:<CODE>'. */
  outcome: string;
  before: unknown;
  after: unknown;
  detail: Record<string, unknown> | null;
}

export interface AuditEntry extends AuditEntryInput {
  auditId: number;
}
