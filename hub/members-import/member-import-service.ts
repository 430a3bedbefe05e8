/**
 * Importing members from a chain's old system: a CSV or xlsx file → every row checked (core/members-import/) → a
 * preview that writes nothing, or an import that writes every member or none (../ledger/member-import-store.ts).
 *
 * The file's SHA-256 is the import's id and its idempotency key: a file imported once is refused the second time
 * (MEMBER_IMPORT_REPEATED), and even without that record each member's id is derived from it and the row
 * (`M-I<12 hex>-<row>`), so the ledger itself refuses a replay of any of its transactions (MEMBER_EXISTS).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { importableTiers } from '../../core/ledger/plan-member-import.ts';
import { normalizeHeader } from '../../core/members-import/import-columns.ts';
import { checkMemberRows, readMemberRows, type MemberImportCheck } from '../../core/members-import/validate-member-rows.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { MemberImportRecord, MemberImportStore } from '../ledger/member-import-store.ts';
import type { MemberProfileStore } from '../ledger/member-profile-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { decodeMemberFile } from './decode-member-file.ts';
import type { MemberImportPreview } from './member-import-preview.ts';

export type { MemberImportPreview };

/** The largest file the API takes (its body limit). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/**
 * The most members one file may hold. All of them are applied in one database transaction on the hub's thread
 * (~1.6 s per 10,000 on a 2-core machine, more when busy), during which kiosks' sales wait: 50,000 held it 9–18 s.
 */
export const MAX_IMPORT_ROWS = 10_000;
/** Rows shown as they would be stored. */
export const PREVIEW_ROWS = 50;
/** Errors answered (the count says how many there are in all). */
export const MAX_ERRORS_ANSWERED = 1000;

/** What chains commonly call the default ladder's tiers, for a file that names them so (only tiers the rules have). */
const COMMON_TIER_NAMES: Record<string, readonly string[]> = {
  standard: ['普通会员', '普通卡', '普卡', '普通'],
  silver: ['银卡会员', '银卡', '银卡级'],
  gold: ['金卡会员', '金卡', '金卡级'],
  diamond: ['钻石会员', '钻石卡', '钻石'],
};

export interface MemberImportDeps {
  imports: MemberImportStore;
  profiles: Pick<MemberProfileStore, 'fieldDefs'>;
  rules: Pick<RulesStore, 'latestRulesBundle'>;
  /** The fleet's stores (the file names a member's home store by id or name). */
  stores(): Promise<readonly { storeId: string; name: string }[]>;
  /** The rules when the ledger holds none yet (the hub's fallback bundle). */
  fallbackBundle: RulesBundle;
  logger?: Logger;
  now?: () => Date;
}

export interface MemberImportService {
  preview(bytes: Uint8Array, fileName: string): Promise<MemberImportPreview>;
  /** Imports every row or none; MEMBER_IMPORT_INVALID (details: the preview) when any row is not valid. */
  commit(bytes: Uint8Array, fileName: string, staffId: string): Promise<{ record: MemberImportRecord; preview: MemberImportPreview }>;
}

/** The member id a row of a file becomes: the same for the same file and row, so a replay creates nobody twice. */
export function importedMemberId(importId: string, row: number): string {
  return `M-I${importId.slice(0, 12)}-${row}`;
}

function tierAliases(bundle: RulesBundle, tiers: readonly string[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const [tier, names] of Object.entries(COMMON_TIER_NAMES)) {
    if (tiers.includes(tier)) for (const n of names) aliases.set(normalizeHeader(n), tier);
  }
  // A card type standing for a tier (金卡 → gold) is what the chain itself calls it: it wins over the common names.
  for (const type of bundle.cardTypes?.types ?? []) if (type.tier !== undefined && tiers.includes(type.tier)) aliases.set(normalizeHeader(type.label), type.tier);
  return aliases;
}

export function createMemberImportService(deps: MemberImportDeps): MemberImportService {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger?.child({ component: 'hub.member-import' });

  async function check(bytes: Uint8Array, fileName: string): Promise<{ preview: MemberImportPreview; checked: MemberImportCheck }> {
    const importId = createHash('sha256').update(bytes).digest('hex');
    const decoded = await decodeMemberFile(bytes);
    const bundle = (await deps.rules.latestRulesBundle()) ?? deps.fallbackBundle;
    const tiers = importableTiers(bundle);
    const read = readMemberRows(decoded.rows, {
      tiers,
      tierAliases: tierAliases(bundle, tiers),
      stores: await deps.stores(),
      customFields: await deps.profiles.fieldDefs(),
      today: now().toISOString().slice(0, 10),
      maxRows: MAX_IMPORT_ROWS,
    });
    const phones = read.rows.flatMap((r) => (r.member.referrerPhone ? [r.member.phone, r.member.referrerPhone] : [r.member.phone]));
    const holds = await deps.imports.holdings(phones, read.rows.map((r) => r.member.cardUid));
    const checked = checkMemberRows(read, holds);
    const invalid = checked.invalidRows;
    const preview: MemberImportPreview = {
      importId,
      fileName,
      format: decoded.format,
      encoding: decoded.encoding,
      columns: checked.columns.map((c) => ({ header: c.header, meaning: c.meaning.kind === 'field' ? `field:${c.meaning.field}` : c.meaning.kind === 'custom' ? `custom:${c.meaning.key}` : 'ignored' })),
      counts: { rows: checked.rows.length, valid: checked.rows.length - invalid, invalid, errors: checked.errors.length },
      totals: checked.totals,
      errors: checked.errors.slice(0, MAX_ERRORS_ANSWERED),
      preview: checked.rows.slice(0, PREVIEW_ROWS).map((m) => ({ ...m, memberId: importedMemberId(importId, m.row) })),
      alreadyImported: await deps.imports.findImport(importId),
    };
    return { preview, checked };
  }

  return {
    async preview(bytes, fileName) {
      const { preview } = await check(bytes, fileName);
      log?.info({ importId: preview.importId, format: preview.format, encoding: preview.encoding, ...preview.counts }, 'member file previewed');
      return preview;
    },

    async commit(bytes, fileName, staffId) {
      const { preview, checked } = await check(bytes, fileName);
      const summary = { importId: preview.importId, ...preview.counts };
      if (preview.alreadyImported) throw new CodedError('MEMBER_IMPORT_REPEATED', undefined, { ...summary, alreadyImported: preview.alreadyImported });
      if (checked.rows.length === 0) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', 'the file has a header row but no members', summary);
      if (checked.errors.length > 0) {
        throw new CodedError('MEMBER_IMPORT_INVALID', `${preview.counts.invalid} of ${preview.counts.rows} rows are not valid: nothing was imported`, { preview });
      }
      const at = now().toISOString();
      const ordered = checked.order.map((i) => checked.rows[i]!);
      const bodies = ordered.map((m) => ({
        kind: 'member_import' as const,
        storeId: HQ_DEVICE_ID,
        memberId: importedMemberId(preview.importId, m.row),
        importId: preview.importId,
        row: m.row,
        cardUid: m.cardUid,
        name: m.name,
        phone: m.phone,
        tier: m.tier,
        homeStoreId: m.storeId,
        storedValueCents: m.storedValueCents,
        bonusValueCents: m.bonusValueCents,
        points: m.points,
        ...(m.referrerPhone === null ? {} : { referrerPhone: m.referrerPhone }),
        importedBy: staffId,
      }));
      const profiles = ordered
        .filter((m) => m.gender !== null || m.birthday !== null || m.address !== null || Object.keys(m.customFields).length > 0)
        .map((m) => ({ memberId: importedMemberId(preview.importId, m.row), gender: m.gender, birthday: m.birthday, address: m.address, customFields: m.customFields }));
      const started = Date.now();
      const { record } = await deps.imports.importMembers({ importId: preview.importId, fileName, importedBy: staffId, at, bodies, profiles });
      log?.info({ ...summary, staffId, ms: Date.now() - started }, 'members imported');
      return { record, preview };
    },
  };
}
