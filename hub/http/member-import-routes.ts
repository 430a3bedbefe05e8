/**
 * Importing members from a chain's old system (hub/members-import/), HQ admins only: a store manager importing into
 * their own store would be simple to check row by row, but an import mints opening balances (stored value, points)
 * with no sale behind them, which is HQ's decision everywhere else (manual bonuses are region manager and up).
 *
 * | route | what |
 * |---|---|
 * | `POST /api/member-import/preview?name=FILE` (the file as the body) | every row checked; the errors by row and column, the counts, the first rows as stored. Writes nothing |
 * | `POST /api/member-import/commit?name=FILE` (the same file) | checked again; every member imported in one database transaction, or none (MEMBER_IMPORT_INVALID with the errors) |
 * | `GET /api/member-import/template.csv` | an empty file with the Chinese headers and HQ's custom fields, UTF-8 with a BOM (Excel opens it right) |
 *
 * The body is the file's bytes (any of the content types below), up to 10 MB. Every commit, imported or refused,
 * is in the audit log with the staff member.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CodedError, isCodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { IMPORT_FIELDS, TEMPLATE_HEADERS } from '../../core/members-import/import-columns.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { MemberProfileStore } from '../ledger/member-profile-store.ts';
import type { MemberImportPreview } from '../members-import/member-import-preview.ts';
import { MAX_IMPORT_BYTES, type MemberImportService } from '../members-import/member-import-service.ts';
import { requireStaff } from './require-staff.ts';

export interface MemberImportRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  service: MemberImportService;
  profiles: Pick<MemberProfileStore, 'fieldDefs'>;
}

export const MEMBER_IMPORTERS: readonly StaffRole[] = ['hq_admin'];

const FILE_TYPES = [
  'text/csv',
  'text/plain',
  'application/csv',
  'application/octet-stream',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];
const fileQuery = z.object({ name: z.string().trim().max(200).default('') });

function fileOf(request: FastifyRequest): { bytes: Uint8Array; fileName: string } {
  const { name } = parseRequest(fileQuery, request.query);
  if (!Buffer.isBuffer(request.body)) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', 'send the file itself as the body (Content-Type text/csv or the xlsx type)');
  return { bytes: request.body, fileName: name || 'members' };
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function registerMemberImportRoutes(app: FastifyInstance, deps: MemberImportRoutesDeps): void {
  // In a scope of its own: these content types are read as raw bytes on these routes only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(FILE_TYPES, { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body));

    scope.post('/api/member-import/preview', { bodyLimit: MAX_IMPORT_BYTES }, async (request) => {
      await requireStaff(deps.identity, request, MEMBER_IMPORTERS);
      const { bytes, fileName } = fileOf(request);
      return deps.service.preview(bytes, fileName);
    });

    scope.post('/api/member-import/commit', { bodyLimit: MAX_IMPORT_BYTES }, async (request, reply) => {
      const { staff } = await requireStaff(deps.identity, request, MEMBER_IMPORTERS);
      const { bytes, fileName } = fileOf(request);
      try {
        const { record, preview } = await deps.service.commit(bytes, fileName, staff.staffId);
        return await reply.code(201).send({ record, counts: preview.counts, totals: preview.totals });
      } catch (error) {
        // A refused import is audited too (the applied one is, inside its own database transaction).
        if (isCodedError(error)) {
          // Only the counts of a refused file's check: its errors quote cells (phone numbers among them).
          const preview = error.details?.preview as MemberImportPreview | undefined;
          await deps.identityStore.appendAudit({
            at: new Date().toISOString(), actorKind: 'staff', actorId: staff.staffId, surface: 'hub', action: 'member.import', target: null,
            outcome: `refused:${error.code}`, before: null, after: null,
            detail: { fileName, bytes: bytes.length, ...(preview ? { importId: preview.importId, counts: preview.counts } : { ...error.details }) },
          });
        }
        throw error;
      }
    });
  });

  app.get('/api/member-import/template.csv', async (request, reply) => {
    await requireStaff(deps.identity, request, MEMBER_IMPORTERS);
    const headers = [...IMPORT_FIELDS.map((f) => TEMPLATE_HEADERS[f]), ...(await deps.profiles.fieldDefs()).map((f) => f.label)];
    return reply
      .header('content-disposition', 'attachment; filename="member-import-template.csv"')
      .type('text/csv; charset=utf-8')
      .send(`\uFEFF${headers.map(csvField).join(',')}\r\n`);
  });
}
