/**
 * Every row of a member file checked before anything is written, in two steps: `readMemberRows` checks each row on
 * its own and against the rest of the file (required fields, formats, money to exact cents, duplicates within the
 * file); the hub then asks the ledger which of the file's phones and cards it already holds, and `checkMemberRows`
 * adds those, the referrers, and the order the rows must be applied in (a referrer before the members they
 * referred). Pure: the hub does the reading and the asking (hub/members-import/).
 */
import { CodedError } from '../errors/coded-error.ts';
import { parseYuanToCents } from '../money/parse-yuan.ts';
import { columnMeaning, normalizeHeader, REQUIRED_FIELDS, type ColumnMeaning, type ImportField } from './import-columns.ts';
import type { ImportRowError, RowReason } from './row-reasons.ts';
import type { SheetRow } from './sheet-table.ts';

export type ImportGender = 'female' | 'male' | 'other';

/** A row as it would be stored. */
export interface ImportedMemberRow {
  row: number;
  name: string;
  phone: string;
  cardUid: string;
  tier: string;
  storeId: string;
  gender: ImportGender | null;
  birthday: string | null;
  address: string | null;
  storedValueCents: number;
  bonusValueCents: number;
  points: number;
  referrerPhone: string | null;
  customFields: Record<string, string>;
}

export interface MemberImportRules {
  /** The rules' tier ladder (the first is the tier of a row that names none). */
  tiers: readonly string[];
  /** Other names a tier goes by (a card type's label 金卡, 金卡会员…), by normalizeHeader of the name. */
  tierAliases: ReadonlyMap<string, string>;
  stores: readonly { storeId: string; name: string }[];
  customFields: readonly { key: string; label: string }[];
  /** Today (YYYY-MM-DD, the chain's zone): no birthday after it. */
  today: string;
  /** The most data rows one file may have. */
  maxRows: number;
}

export interface ImportColumn {
  header: string;
  meaning: ColumnMeaning;
}

export interface ReadMemberRows {
  columns: ImportColumn[];
  /** Each data row with what could be read of it and its own errors (a row with errors still names its phone and card). */
  rows: { member: ImportedMemberRow; errors: ImportRowError[] }[];
}

/** What the ledger already holds, of the phones and cards the file names (referrers' phones included). */
export interface LedgerHolds {
  phones: ReadonlySet<string>;
  cards: ReadonlySet<string>;
}

export interface MemberImportCheck {
  columns: ImportColumn[];
  rows: ImportedMemberRow[];
  /** Every error, by row then column. */
  errors: ImportRowError[];
  /** Rows with at least one error. */
  invalidRows: number;
  /** The rows' indexes (into `rows`) in the order to apply them: referrers in the file before those they referred. */
  order: number[];
  totals: { storedValueCents: number; bonusValueCents: number; points: number };
}

const PHONE = /^\+?[0-9]{6,20}$/;
const CARD = /^[0-9A-F]{4,32}$/;
const MAX_TEXT = 200;

const GENDERS: ReadonlyMap<string, ImportGender> = new Map([
  ['男', 'male'], ['男性', 'male'], ['m', 'male'], ['male', 'male'],
  ['女', 'female'], ['女性', 'female'], ['f', 'female'], ['female', 'female'],
  ['其他', 'other'], ['其它', 'other'], ['other', 'other'],
]);

/** A phone as the ledger keeps it: digits only (an optional leading +); a mainland number's +86 dropped. */
export function normalizePhone(text: string): string {
  const compact = text.trim().replace(/[\s\-()（）]/g, '');
  const mainland = /^(?:\+?86)(1[0-9]{10})$/.exec(compact);
  return mainland ? mainland[1]! : compact;
}

/** A card number as the ledger keeps it: uppercase, no spaces. */
export function normalizeCard(text: string): string {
  return text.trim().replace(/\s+/g, '').toUpperCase();
}

/** YYYY-MM-DD from the ways people write a date (2001-5-7, 2001/05/07, 2001.5.7, 20010507, 2001年5月7日); null: not a date. */
export function normalizeBirthday(text: string, today: string): string | null {
  const s = text.trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const iso = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  // Date rolls 2001-02-30 over to March: reading the parts back refuses it.
  if (Number.isNaN(date.getTime()) || date.getUTCMonth() + 1 !== mo || date.getUTCDate() !== d) return null;
  if (y < 1900 || iso > today) return null;
  return iso;
}

function clip(value: string): string {
  return value.length > 64 ? `${value.slice(0, 63)}…` : value;
}

function isBlank(row: SheetRow): boolean {
  return row.cells.every((c) => c.trim() === '');
}

/**
 * Reads the header (the first row that is not blank) and checks every data row on its own and against the rest of
 * the file. Throws MEMBER_IMPORT_FILE_UNREADABLE when the header lacks a required column or names one twice, and
 * MEMBER_IMPORT_TOO_LARGE over `rules.maxRows` data rows.
 */
export function readMemberRows(sheet: readonly SheetRow[], rules: MemberImportRules): ReadMemberRows {
  const headerIndex = sheet.findIndex((r) => !isBlank(r));
  const header = sheet[headerIndex];
  if (!header) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', 'the file is empty: no header row');
  const columns: ImportColumn[] = header.cells.map((h) => ({ header: h.trim(), meaning: h.trim() === '' ? { kind: 'ignored' } : columnMeaning(h, rules.customFields) }));
  const fieldAt = new Map<ImportField, number>();
  const customAt = new Map<string, number>();
  for (const [i, column] of columns.entries()) {
    const m = column.meaning;
    const seen = m.kind === 'field' ? fieldAt.has(m.field) : m.kind === 'custom' ? customAt.has(m.key) : false;
    if (seen) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', `two columns mean the same: "${column.header}"`, { duplicateColumn: column.header });
    if (m.kind === 'field') fieldAt.set(m.field, i);
    if (m.kind === 'custom') customAt.set(m.key, i);
  }
  const missing = REQUIRED_FIELDS.filter((f) => !fieldAt.has(f));
  if (missing.length > 0) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', `the header row lacks the columns ${missing.join(', ')}`, { missingColumns: missing });
  const data = sheet.slice(headerIndex + 1).filter((r) => !isBlank(r));
  if (data.length > rules.maxRows) throw new CodedError('MEMBER_IMPORT_TOO_LARGE', `${data.length} rows; one import takes at most ${rules.maxRows}`, { rows: data.length, maxRows: rules.maxRows });

  const tierByName = new Map<string, string>(rules.tierAliases);
  for (const tier of rules.tiers) tierByName.set(normalizeHeader(tier), tier);
  const storeByKey = new Map<string, string>();
  // An id wins over a name where one store's name is another's id.
  for (const s of rules.stores) storeByKey.set(s.name.trim(), s.storeId);
  for (const s of rules.stores) storeByKey.set(s.storeId.toLowerCase(), s.storeId);
  const firstPhone = new Map<string, number>();
  const firstCard = new Map<string, number>();

  const rows = data.map((sheetRow) => {
    const row = sheetRow.rowNumber;
    const errors: ImportRowError[] = [];
    const cell = (field: ImportField): string => {
      const at = fieldAt.get(field);
      return at === undefined ? '' : (sheetRow.cells[at] ?? '').trim();
    };
    const fail = (column: string | null, reason: RowReason, value?: string, otherRow?: number) =>
      errors.push({ row, column, reason, ...(value === undefined || value === '' ? {} : { value: clip(value) }), ...(otherRow === undefined ? {} : { otherRow }) });

    const name = cell('name');
    if (name === '') fail('name', 'NAME_REQUIRED');
    else if (name.length > 64) fail('name', 'NAME_TOO_LONG', name);

    const phoneText = cell('phone');
    const phone = normalizePhone(phoneText);
    if (phoneText === '') fail('phone', 'PHONE_REQUIRED');
    else if (!PHONE.test(phone)) fail('phone', 'PHONE_INVALID', phoneText);
    else if (firstPhone.has(phone)) fail('phone', 'PHONE_DUPLICATE', phoneText, firstPhone.get(phone));
    else firstPhone.set(phone, row);

    const cardText = cell('card');
    const cardUid = normalizeCard(cardText);
    if (cardText === '') fail('card', 'CARD_REQUIRED');
    else if (!CARD.test(cardUid)) fail('card', 'CARD_INVALID', cardText);
    else if (firstCard.has(cardUid)) fail('card', 'CARD_DUPLICATE', cardText, firstCard.get(cardUid));
    else firstCard.set(cardUid, row);

    const tierText = cell('tier');
    const tier = tierText === '' ? (rules.tiers[0] ?? 'standard') : (tierByName.get(normalizeHeader(tierText)) ?? '');
    if (tier === '') fail('tier', 'TIER_UNKNOWN', tierText);

    const storeText = cell('store');
    const storeId = storeText === '' ? '' : (storeByKey.get(storeText.toLowerCase()) ?? storeByKey.get(storeText) ?? '');
    if (storeText === '') fail('store', 'STORE_REQUIRED');
    else if (storeId === '') fail('store', 'STORE_UNKNOWN', storeText);

    const genderText = cell('gender');
    const gender = genderText === '' ? null : (GENDERS.get(genderText.toLowerCase()) ?? null);
    if (genderText !== '' && gender === null) fail('gender', 'GENDER_INVALID', genderText);

    const birthdayText = cell('birthday');
    const birthday = birthdayText === '' ? null : normalizeBirthday(birthdayText, rules.today);
    if (birthdayText !== '' && birthday === null) fail('birthday', 'BIRTHDAY_INVALID', birthdayText);

    const address = cell('address');
    if (address.length > MAX_TEXT) fail('address', 'ADDRESS_TOO_LONG', address);

    const money = (field: 'storedValue' | 'bonusValue'): number => {
      const text = cell(field);
      if (text === '') return 0;
      const parsed = parseYuanToCents(text);
      if (parsed.ok) return parsed.cents;
      fail(field, parsed.reason, text);
      return 0;
    };
    const storedValueCents = money('storedValue');
    const bonusValueCents = money('bonusValue');

    const pointsText = cell('points').replaceAll(',', '');
    const pointsMatch = /^([0-9]{1,12})(?:\.0*)?$/.exec(pointsText);
    const points = pointsText === '' ? 0 : pointsMatch ? Number(pointsMatch[1]) : 0;
    if (pointsText !== '' && !pointsMatch) fail('points', 'POINTS_INVALID', cell('points'));

    const referrerText = cell('referrerPhone');
    const referrer = referrerText === '' ? null : normalizePhone(referrerText);
    if (referrer !== null && !PHONE.test(referrer)) fail('referrerPhone', 'REFERRER_INVALID', referrerText);
    else if (referrer !== null && referrer === phone) fail('referrerPhone', 'REFERRER_SELF', referrerText);

    const customFields: Record<string, string> = {};
    for (const [key, at] of customAt) {
      const value = (sheetRow.cells[at] ?? '').trim();
      if (value.length > MAX_TEXT) fail(`custom:${key}`, 'FIELD_TOO_LONG', value);
      else if (value !== '') customFields[key] = value;
    }

    const member: ImportedMemberRow = {
      row, name, phone, cardUid, tier, storeId, gender, birthday, address: address === '' ? null : address, storedValueCents, bonusValueCents, points,
      referrerPhone: referrer !== null && PHONE.test(referrer) && referrer !== phone ? referrer : null, customFields,
    };
    return { member, errors };
  });
  return { columns, rows };
}

/**
 * Adds what the ledger holds (a phone or card taken), checks each referrer is a member already or a row of the file,
 * and orders the rows so a referrer in the file is applied before whoever they referred (a cycle is an error).
 */
export function checkMemberRows(read: ReadMemberRows, holds: LedgerHolds): MemberImportCheck {
  const rowOfPhone = new Map<string, number>();
  for (const [i, r] of read.rows.entries()) if (!rowOfPhone.has(r.member.phone)) rowOfPhone.set(r.member.phone, i);
  const errorsOf = read.rows.map((r) => [...r.errors]);
  for (const [i, { member, errors }] of read.rows.entries()) {
    const add = (column: string, reason: RowReason, value: string) => errorsOf[i]!.push({ row: member.row, column, reason, value: clip(value) });
    const own = (column: string) => errors.some((e) => e.column === column);
    if (!own('phone') && holds.phones.has(member.phone)) add('phone', 'PHONE_TAKEN', member.phone);
    if (!own('card') && holds.cards.has(member.cardUid)) add('card', 'CARD_TAKEN', member.cardUid);
    if (member.referrerPhone !== null && !own('referrerPhone') && !holds.phones.has(member.referrerPhone) && !rowOfPhone.has(member.referrerPhone)) {
      add('referrerPhone', 'REFERRER_UNKNOWN', member.referrerPhone);
    }
  }

  // Depth-first: each row after the in-file referrer it names. A row met again while its own chain is open is a cycle.
  const order: number[] = [];
  const state = new Array<'new' | 'open' | 'done'>(read.rows.length).fill('new');
  const visit = (start: number) => {
    const chain: number[] = [];
    let at: number | undefined = start;
    while (at !== undefined && state[at] === 'new') {
      state[at] = 'open';
      chain.push(at);
      const referrer: string | null = read.rows[at]!.member.referrerPhone;
      // A referrer the ledger holds comes first anyway; one only in the file must be applied before.
      at = referrer !== null && !holds.phones.has(referrer) ? rowOfPhone.get(referrer) : undefined;
    }
    if (at !== undefined && state[at] === 'open') {
      const cycle = chain.slice(chain.indexOf(at));
      for (const i of cycle) {
        const member = read.rows[i]!.member;
        const referrerRow = read.rows[rowOfPhone.get(member.referrerPhone!)!]!.member.row;
        errorsOf[i]!.push({ row: member.row, column: 'referrerPhone', reason: 'REFERRER_CYCLE', value: clip(member.referrerPhone!), otherRow: referrerRow });
      }
    }
    for (const i of chain.reverse()) {
      state[i] = 'done';
      order.push(i);
    }
  };
  for (let i = 0; i < read.rows.length; i++) visit(i);

  const errors = errorsOf.flat();
  const rows = read.rows.map((r) => r.member);
  const sum = (pick: (m: ImportedMemberRow) => number) => rows.reduce((total, m) => total + pick(m), 0);
  return {
    columns: read.columns,
    rows,
    errors,
    invalidRows: errorsOf.filter((e) => e.length > 0).length,
    order,
    totals: { storedValueCents: sum((m) => m.storedValueCents), bonusValueCents: sum((m) => m.bonusValueCents), points: sum((m) => m.points) },
  };
}
