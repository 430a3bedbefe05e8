/**
 * Indexes for the hub's flows' member segments (automation-reads.ts): birthdays by month-day and members by the
 * time they joined, so "whose birthday / anniversary is today" reads a day's members, not the chain's. Indexes
 * only, no data change: created on every open (SCHEMA_SQL, IF NOT EXISTS), in a new ledger and an older one alike,
 * with no schema version of their own. The birthday index is on an expression; a query uses it only when it names
 * the very same expression, substr(birthday, 6) (MM-DD of YYYY-MM-DD).
 */
export const AUTOMATION_INDEXES_SQL = `
CREATE INDEX IF NOT EXISTS member_profiles_by_birth_day ON member_profiles(substr(birthday, 6));
CREATE INDEX IF NOT EXISTS members_by_created_at ON members(created_at);
`;
