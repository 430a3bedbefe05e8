/**
 * A batch's held writes sent set-based: one statement per table and kind, not one per row. A purchase writes about
 * nine rows in six tables, and its statements alternate tables (lot, journal, balance, lot, journal, balance, member,
 * purchase, transaction, sequence), so a batch of a hundred purchases sent as it was buffered is ~900 statements —
 * each parsed, planned and executed alone, and each row trigger run apart — where a plain `pg` program writes the
 * same rows with one statement per table. This plans the buffered statements into such a list.
 *
 * What may be merged: a statement of a shape this file recognises (parseTemplate) joins the last merged statement of
 * its very SQL text (its "template"), so statements of one template keep their relative order. It may be moved there
 * — ahead of statements buffered before it — only if it does not conflict with any of the statements it passes
 * (`conflicts`): two statements conflict when they may touch the same rows of one table and one of them writes them
 * (the rows each changes are the keys the port gave it, `WrittenRows`; a statement without keys touches its whole
 * table), counting also what PostgreSQL reads for a statement beyond its own SQL (IMPLIED_READS: the foreign keys and
 * the report_hourly trigger, which reads a transaction's journal entries, purchase and member when its transactions
 * row is inserted). So every pair of statements that could see each other's rows runs in its buffered order, and the
 * result is the one the buffered order gives; a failing statement (a unique key) fails the merged one, which fails the
 * batch as before, and the batch's item-by-item replay finds the item.
 *
 * Rows of one merged statement that name the same key are collapsed first, the way running them one after another
 * would combine them (an upsert may not touch one row twice, an UPDATE … FROM applies only one of two source rows to
 * a target row): a relative change (`x = x + $1`, `x = t.x + excluded.x`) is summed, an absolute one (`x = $1`,
 * `x = excluded.x`) takes the last value, `coalesce(new, old)` the last value that is not null, and an inserted
 * column no update changes keeps the first row's value. A row that cannot be collapsed that way starts a new merged
 * statement after the others.
 *
 * How a merged statement is written: INSERT as one multi-row VALUES list (PostgreSQL types an INSERT's VALUES
 * columns from their target columns, as it typed the single row), with the upsert's ON CONFLICT clause unchanged;
 * UPDATE as UPDATE … FROM json_populate_recordset(NULL::table, json) — rows typed by the table's own columns — joined
 * on the WHERE columns, which must include the table's primary key (PRIMARY_KEYS) so each source row is one target
 * row. A statement of any other shape is sent as it is, in its place.
 */
import { literalOf, type StatementToSend } from './one-round-trip-writes.ts';
import type { SqlValue, WrittenRows } from './sync-reads.ts';

/** A buffered write as the port holds it (pending-writes.ts). */
export interface BufferedStatement {
  sql: string;
  params: readonly SqlValue[];
  /** The rows it may change (sync-reads.ts): what its conflicts are judged by. */
  written: readonly WrittenRows[];
  /** The rows it must change; another count is a defect. */
  expectRows?: number;
  what?: string;
}

/** A statement to send, with the rows it must change (the sum of its merged statements' counts). */
export interface PlannedStatement extends StatementToSend {
  expectRows?: number;
  what?: string;
}

/**
 * The primary keys of the tables whose UPDATEs may be merged: a merged UPDATE joins its rows to the table on the
 * WHERE columns, which must pin one row each. set-based-writes.test.ts checks this list against the schema.
 */
export const PRIMARY_KEYS: Readonly<Record<string, readonly string[]>> = {
  members: ['member_id'],
  cards: ['uid'],
  point_lots: ['lot_id'],
  gifts: ['sku'],
  gift_store_stock: ['store_id', 'sku'],
  device_sequences: ['device_id', 'epoch'],
  accounts: ['member_id', 'account'],
};

/**
 * What PostgreSQL reads for a write to a table besides the statement's own rows: foreign keys (the parent row must
 * exist) and row triggers. `by` names the written row's key whose value selects the rows read; without it, or when
 * the write does not name that key, the whole table counts as read. set-based-writes.test.ts checks that every
 * foreign key and trigger of the tables the write port writes is accounted for here (or reads nothing else).
 */
export const IMPLIED_READS: Readonly<Record<string, readonly { table: string; by?: string }[]>> = {
  // report_hourly_count (postgres-schema-v7-report-rollup.ts): the member's home store, the purchase, the journal.
  transactions: [
    { table: 'members', by: 'member_id' },
    { table: 'purchases', by: 'tx_id' },
    { table: 'journal', by: 'tx_id' },
  ],
  cards: [{ table: 'members', by: 'member_id' }],
  redemption_codes: [{ table: 'code_batches' }],
  draw_prizes: [{ table: 'draws' }],
};

type Rule = 'first' | 'last' | 'lastNotNull' | 'sum' | 'constant' | 'none';

interface InsertTemplate {
  kind: 'insert';
  table: string;
  columns: string[];
  /** Per column: the index of its parameter, or the constant SQL written in its place. */
  values: ({ param: number } | { constant: string })[];
  /** ON CONFLICT … as written; its target columns are the collapse key (none: a plain INSERT, never collapsed). */
  tail: string;
  conflictColumns: number[] | null;
  /** The parameters of the conflict columns (each a parameter, parseInsert checks). */
  keyParams: number[];
  /** Per column: how two rows of one key combine (none: they cannot). */
  rules: Rule[];
}

interface UpdateTemplate {
  kind: 'update';
  table: string;
  /** Per SET column: the parameter and how it applies. */
  sets: { column: string; param: number | null; constant?: string; rule: Rule }[];
  where: { column: string; param: number }[];
  /** The parameters of the WHERE columns. */
  keyParams: number[];
}

type Template = InsertTemplate | UpdateTemplate;

const templates = new Map<string, Template | null>();

function templateOf(sql: string): Template | null {
  let template = templates.get(sql);
  if (template === undefined) {
    template = parseTemplate(sql);
    templates.set(sql, template);
  }
  return template;
}

const NAME = '[a-z_][a-z0-9_]*';
const CONSTANT = /^(?:NULL|-?\d+|'(?:[^']|'')*')$/i;

/** The template of a statement of a shape that can be merged; null for any other. */
export function parseTemplate(sql: string): Template | null {
  // Runs of white space as one space, outside quoted constants.
  const text = sql.replace(/'(?:[^']|'')*'|\s+/g, (match) => (match.startsWith("'") ? match : ' ')).trim();
  const insert = new RegExp(`^INSERT INTO (${NAME}) \\(([^)]*)\\) VALUES \\((.*?)\\)((?: ON CONFLICT .*)?)$`, 'i').exec(text);
  if (insert) return parseInsert(insert[1]!, insert[2]!, insert[3]!, insert[4]!.trim());
  const update = new RegExp(`^UPDATE (${NAME}) SET (.*) WHERE (.*)$`, 'i').exec(text);
  if (update) return parseUpdate(update[1]!, update[2]!, update[3]!);
  return null;
}

function parseInsert(table: string, columnList: string, valueList: string, tail: string): InsertTemplate | null {
  const columns = columnList.split(',').map((c) => c.trim());
  const valueTexts = splitTopLevel(valueList);
  if (columns.some((c) => !new RegExp(`^${NAME}$`, 'i').test(c)) || valueTexts.length !== columns.length) return null;
  const values: InsertTemplate['values'] = [];
  for (const value of valueTexts) {
    const param = /^\$(\d+)$/.exec(value);
    if (param) {
      const n = Number(param[1]) - 1;
      // One parameter in two columns would need two rules for one value.
      if (values.some((v) => 'param' in v && v.param === n)) return null;
      values.push({ param: n });
    } else if (CONSTANT.test(value)) values.push({ constant: value });
    else return null;
  }
  if (tail === '') return { kind: 'insert', table, columns, values, tail, conflictColumns: null, keyParams: [], rules: columns.map(() => 'none') };
  const conflict = new RegExp(`^ON CONFLICT \\(([^)]*)\\) DO (NOTHING|UPDATE SET (.*))$`, 'i').exec(tail);
  if (!conflict) return null;
  const conflictColumns = conflict[1]!.split(',').map((c) => columns.indexOf(c.trim()));
  if (conflictColumns.some((i) => i < 0 || !('param' in values[i]!))) return null;
  const rules: Rule[] = columns.map(() => 'first');
  for (const assignment of conflict[3] === undefined ? [] : splitTopLevel(conflict[3])) {
    const set = new RegExp(`^(${NAME}) = (.*)$`, 'i').exec(assignment);
    const index = set ? columns.indexOf(set[1]!) : -1;
    if (!set || index < 0) return null;
    const column = set[1]!;
    const expression = set[2]!;
    const isParam = 'param' in values[index]!;
    if (expression === `${table}.${column} + excluded.${column}` && isParam) rules[index] = 'sum';
    else if (expression === `excluded.${column}`) rules[index] = 'last';
    else if (expression.toLowerCase() === `coalesce(excluded.${column}, ${table}.${column})`) rules[index] = 'lastNotNull';
    else rules[index] = 'none';
  }
  const keyParams = conflictColumns.map((i) => (values[i] as { param: number }).param);
  return { kind: 'insert', table, columns, values, tail, conflictColumns, keyParams, rules };
}

function parseUpdate(table: string, setList: string, whereList: string): UpdateTemplate | null {
  const primaryKey = PRIMARY_KEYS[table];
  if (!primaryKey) return null;
  const used = new Set<number>();
  const take = (text: string): number | null => {
    const n = Number(text) - 1;
    if (used.has(n)) return null;
    used.add(n);
    return n;
  };
  const where: UpdateTemplate['where'] = [];
  for (const condition of whereList.split(/ AND /i)) {
    const match = new RegExp(`^(${NAME}) = \\$(\\d+)$`, 'i').exec(condition.trim());
    const param = match ? take(match[2]!) : null;
    if (!match || param === null) return null;
    where.push({ column: match[1]!, param });
  }
  if (!primaryKey.every((k) => where.some((w) => w.column === k))) return null;
  const sets: UpdateTemplate['sets'] = [];
  for (const assignment of splitTopLevel(setList)) {
    const set = new RegExp(`^(${NAME}) = (.*)$`, 'i').exec(assignment);
    if (!set) return null;
    const column = set[1]!;
    const expression = set[2]!;
    let match: RegExpExecArray | null;
    let param: number | null = null;
    let rule: Rule;
    if ((match = /^\$(\d+)$/.exec(expression))) [param, rule] = [take(match[1]!), 'last'];
    else if ((match = new RegExp(`^${column} \\+ \\$(\\d+)$`).exec(expression))) [param, rule] = [take(match[1]!), 'sum'];
    else if ((match = new RegExp(`^coalesce\\(\\$(\\d+), ${column}\\)$`, 'i').exec(expression))) [param, rule] = [take(match[1]!), 'lastNotNull'];
    else if (CONSTANT.test(expression)) {
      sets.push({ column, param: null, constant: expression, rule: 'constant' });
      continue;
    } else return null;
    if (param === null || where.some((w) => w.column === column) || sets.some((s) => s.column === column)) return null;
    sets.push({ column, param, rule });
  }
  return { kind: 'update', table, sets, where, keyParams: where.map((w) => w.param) };
}

/** Splits a list at its commas outside parentheses and quotes. */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(list.slice(start).trim());
  return parts;
}

// Conflicts

interface Access {
  table: string;
  /** undefined: every row of the table. */
  keys: Readonly<Record<string, SqlValue>> | undefined;
  write: boolean;
}

function accessesOf(statement: BufferedStatement): Access[] {
  const accesses: Access[] = [];
  for (const w of statement.written) {
    accesses.push({ table: w.table, keys: w.keys, write: true });
    const implied = IMPLIED_READS[w.table];
    if (implied === undefined) continue;
    for (const read of implied) {
      const value = read.by === undefined ? undefined : w.keys?.[read.by];
      accesses.push({ table: read.table, keys: value === undefined ? undefined : { [read.by!]: value }, write: false });
    }
  }
  return accesses;
}

/**
 * The accesses of the statements in one merged statement, indexed for `conflicts`: per table, whether any reads or
 * writes every row, and the key values its keyed accesses name, per column — a superset of any one access's, so a
 * keyed access is taken for disjoint from the group only when some column it names has a value no access of the
 * group names in that column (and that column is named by every keyed access of the group on that table).
 */
class AccessIndex {
  private readonly tables = new Map<string, { whole: { read: boolean; write: boolean }; keyed: { read: TableKeys; write: TableKeys } }>();

  add(access: Access): void {
    let entry = this.tables.get(access.table);
    if (!entry) {
      entry = { whole: { read: false, write: false }, keyed: { read: new TableKeys(), write: new TableKeys() } };
      this.tables.set(access.table, entry);
    }
    const side = access.write ? 'write' : 'read';
    if (access.keys === undefined) entry.whole[side] = true;
    else entry.keyed[side].add(access.keys);
  }

  /** Whether `access` may touch rows an access here touches, one of the two writing. */
  conflictsWith(access: Access): boolean {
    const entry = this.tables.get(access.table);
    if (!entry) return false;
    if (entry.whole.write || (access.write && entry.whole.read)) return true;
    if (entry.keyed.write.mayOverlap(access.keys)) return true;
    return access.write && entry.keyed.read.mayOverlap(access.keys);
  }
}

class TableKeys {
  private count = 0;
  /** Per column: the values named, and how many accesses named the column. */
  private readonly columns = new Map<string, { values: Set<SqlValue>; named: number }>();

  add(keys: Readonly<Record<string, SqlValue>>): void {
    this.count++;
    for (const column in keys) {
      const value = keys[column]!;
      let entry = this.columns.get(column);
      if (!entry) {
        entry = { values: new Set(), named: 0 };
        this.columns.set(column, entry);
      }
      entry.values.add(value);
      entry.named++;
    }
  }

  mayOverlap(keys: Readonly<Record<string, SqlValue>> | undefined): boolean {
    if (this.count === 0) return false;
    if (keys === undefined) return true;
    for (const column in keys) {
      const entry = this.columns.get(column);
      // Every access here names this column, and none with this value: no row can be both's.
      if (entry !== undefined && entry.named === this.count && !entry.values.has(keys[column]!)) return false;
    }
    return true;
  }
}

// Planning

interface Group {
  template: Template | null;
  statements: BufferedStatement[];
  /** Merged rows: the statements' parameter values, one row per collapse key (collapse makes a new row). */
  rows: (readonly SqlValue[])[];
  rowByKey: Map<string, number>;
  expectRows: number | undefined;
  index: AccessIndex;
}

/** The statements to send for these buffered writes, merged where that is safe (see the file's comment). */
export function planSetBased(statements: readonly BufferedStatement[]): PlannedStatement[] {
  const groups: Group[] = [];
  const lastOfTemplate = new Map<string, number>();
  for (const statement of statements) {
    const template = templateOf(statement.sql);
    const accesses = accessesOf(statement);
    const at = template && mergeable(template, statement) ? lastOfTemplate.get(statement.sql) : undefined;
    if (at !== undefined && !conflictsAfter(groups, at + 1, accesses) && joinRow(groups[at]!, statement)) {
      groups[at]!.statements.push(statement);
      for (const access of accesses) groups[at]!.index.add(access);
      continue;
    }
    const group: Group = { template, statements: [statement], rows: [], rowByKey: new Map(), expectRows: statement.expectRows, index: new AccessIndex() };
    for (const access of accesses) group.index.add(access);
    if (template && mergeable(template, statement)) {
      joinRow(group, statement);
      lastOfTemplate.set(statement.sql, groups.length);
    } else lastOfTemplate.delete(statement.sql);
    groups.push(group);
  }
  return groups.map(statementOf);
}

/** Only statements whose row count is unchecked, or checked to be one row each (an UPDATE by primary key), merge. */
function mergeable(template: Template, statement: BufferedStatement): boolean {
  return statement.expectRows === undefined || (template.kind === 'update' && statement.expectRows === 1);
}

/** Whether a statement with these accesses conflicts with any statement of the groups from `from` on. */
function conflictsAfter(groups: readonly Group[], from: number, accesses: readonly Access[]): boolean {
  for (let i = from; i < groups.length; i++) {
    const index = groups[i]!.index;
    for (const access of accesses) if (index.conflictsWith(access)) return true;
  }
  return false;
}

/** Adds the statement's row to the group, collapsed into a row of the same key; false when it cannot be. */
function joinRow(group: Group, statement: BufferedStatement): boolean {
  const template = group.template!;
  if (group.rows.length > 0 && statement.expectRows !== group.expectRows) return false;
  // Not copied: a collapse makes a new row, never changes one.
  const params = statement.params;
  const key = collapseKey(template, params);
  const existing = key === null ? undefined : group.rowByKey.get(key);
  if (existing === undefined) {
    if (key !== null) group.rowByKey.set(key, group.rows.length);
    group.rows.push(params);
    return true;
  }
  const merged = collapse(template, group.rows[existing]!, params);
  if (!merged) return false;
  group.rows[existing] = merged;
  return true;
}

/** The values of the row's key columns, as one string (a type mark before each: 1 and '1' are two keys). */
function collapseKey(template: Template, params: readonly SqlValue[]): string | null {
  if (template.kind === 'insert' && !template.conflictColumns) return null;
  let key = '';
  for (const param of template.keyParams) {
    const value = params[param] ?? null;
    key += value === null ? '\u0001n' : `\u0001${typeof value === 'number' ? 'i' : 's'}${value}`;
  }
  return key;
}

/** Two rows of one key as one: what running them one after the other leaves (see the file's comment), or null. */
function collapse(template: Template, before: readonly SqlValue[], after: readonly SqlValue[]): SqlValue[] | null {
  const merged = [...before];
  const pairs: { param: number | null; rule: Rule }[] =
    template.kind === 'insert' ? template.values.map((v, i) => ({ param: 'param' in v ? v.param : null, rule: template.rules[i]! })) : template.sets;
  for (const { param, rule } of pairs) {
    // A constant is the same in both rows: it only matters when no rule says how two rows combine.
    if (rule === 'none') return null;
    if (param === null || rule === 'first' || rule === 'constant') continue;
    const old = before[param] ?? null;
    const next = after[param] ?? null;
    if (rule === 'last') merged[param] = next;
    else if (rule === 'lastNotNull') merged[param] = next ?? old;
    else {
      if (typeof old !== 'number' || typeof next !== 'number' || !Number.isSafeInteger(old + next)) return null;
      merged[param] = old + next;
    }
  }
  return merged;
}

function statementOf(group: Group): PlannedStatement {
  const first = group.statements[0]!;
  const template = group.template;
  if (!template || group.rows.length === 0 || group.statements.length === 1) {
    return { sql: first.sql, params: first.params, ...checkOf(first.expectRows, first.what) };
  }
  const many = group.statements.length;
  const what = first.what === undefined ? undefined : `${first.what} (or one of the ${many - 1} merged with it)`;
  const expectRows = group.expectRows === undefined ? undefined : group.rows.length;
  if (template.kind === 'insert') {
    // The values written in place as literals (one-round-trip-writes.ts literalOf), as the one round trip would have.
    const literals = template.values.map((v) => ('param' in v ? null : v.constant));
    let rows = '';
    for (const row of group.rows) {
      rows += rows === '' ? '(' : ', (';
      for (const [i, value] of template.values.entries()) {
        if (i > 0) rows += ', ';
        rows += 'param' in value ? literalOf(row[value.param] ?? null) : literals[i]!;
      }
      rows += ')';
    }
    const sql = `INSERT INTO ${template.table} (${template.columns.join(', ')}) VALUES ${rows}${template.tail ? ` ${template.tail}` : ''}`;
    return { sql, params: [], inlined: true, ...checkOf(expectRows, what) };
  }
  const { table } = template;
  const assignments = template.sets.map((s) => {
    if (s.rule === 'constant') return `${s.column} = ${s.constant!}`;
    if (s.rule === 'sum') return `${s.column} = ${table}.${s.column} + v.${s.column}`;
    if (s.rule === 'lastNotNull') return `${s.column} = coalesce(v.${s.column}, ${table}.${s.column})`;
    return `${s.column} = v.${s.column}`;
  });
  const objects = group.rows.map((row) => {
    const object: Record<string, SqlValue> = {};
    for (const s of template.sets) if (s.param !== null) object[s.column] = row[s.param] ?? null;
    for (const w of template.where) object[w.column] = row[w.param] ?? null;
    return object;
  });
  const sql =
    `UPDATE ${table} SET ${assignments.join(', ')} FROM json_populate_recordset(NULL::${table}, ${literalOf(JSON.stringify(objects))}) AS v ` +
    `WHERE ${template.where.map((w) => `${table}.${w.column} = v.${w.column}`).join(' AND ')}`;
  return { sql, params: [], inlined: true, ...checkOf(expectRows, what) };
}

function checkOf(expectRows: number | undefined, what: string | undefined): { expectRows?: number; what?: string } {
  return { ...(expectRows !== undefined ? { expectRows } : {}), ...(what !== undefined ? { what } : {}) };
}
