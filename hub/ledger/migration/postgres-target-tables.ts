/**
 * The PostgreSQL ledger's tables as the database itself describes them (information_schema and pg_catalog), read
 * after its migrations ran: the sqlite → postgres copy follows whatever has been ported so far, with no list of
 * tables of its own to keep up to date. Ordered so a table comes after every table its foreign keys reference.
 */
import type pg from 'pg';

export interface TargetColumn {
  name: string;
  /** information_schema's udt_name: int8, int2, text… (column-values.ts converts to it). */
  type: string;
  /** Filled by a sequence (BIGSERIAL) or an identity: its sequence is set past the copied rows. */
  serial: boolean;
  /** GENERATED ALWAYS AS IDENTITY: an insert that gives the value must say OVERRIDING SYSTEM VALUE. */
  identityAlways: boolean;
}

export interface TargetTable {
  name: string;
  columns: TargetColumn[];
}

/** The migration runner's own table: the target's, never copied. */
export const POSTGRES_MIGRATIONS_TABLE = 'schema_migrations';

/** The base tables of the connection's current schema (the one the migrations created the ledger in), in dependency order. */
export async function postgresTargetTables(client: pg.ClientBase): Promise<TargetTable[]> {
  const columns = await client.query<{ table_name: string; column_name: string; udt_name: string; column_default: string | null; is_identity: string; identity_generation: string | null }>(
    `SELECT c.table_name, c.column_name, c.udt_name, c.column_default, c.is_identity, c.identity_generation
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> $1
     ORDER BY c.table_name, c.ordinal_position`,
    [POSTGRES_MIGRATIONS_TABLE],
  );
  const tables = new Map<string, TargetTable>();
  for (const row of columns.rows) {
    const table = tables.get(row.table_name) ?? { name: row.table_name, columns: [] };
    table.columns.push({
      name: row.column_name,
      type: row.udt_name,
      serial: row.is_identity === 'YES' || (row.column_default?.startsWith('nextval(') ?? false),
      identityAlways: row.identity_generation === 'ALWAYS',
    });
    tables.set(row.table_name, table);
  }
  const references = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent
     FROM pg_constraint k
     JOIN pg_class child ON child.oid = k.conrelid
     JOIN pg_class parent ON parent.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = child.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema()`,
  );
  return dependencyOrder([...tables.values()], references.rows);
}

/** Parents before children, otherwise by name (a stable order for the report); a cycle keeps its tables by name. */
function dependencyOrder(tables: TargetTable[], references: { child: string; parent: string }[]): TargetTable[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const parents = new Map<string, Set<string>>();
  for (const { child, parent } of references) if (child !== parent && byName.has(parent)) parents.set(child, (parents.get(child) ?? new Set()).add(parent));
  const ordered: TargetTable[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (name: string): void => {
    if (placed.has(name) || visiting.has(name)) return;
    visiting.add(name);
    for (const parent of [...(parents.get(name) ?? [])].sort()) place(parent);
    visiting.delete(name);
    placed.add(name);
    ordered.push(byName.get(name)!);
  };
  for (const name of [...byName.keys()].sort()) place(name);
  return ordered;
}
