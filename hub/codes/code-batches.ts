/**
 * Generating a batch of redemption codes (HQ): random codes with their check symbol
 * (core/codes/redemption-code.ts), stored by the ledger as keyed hashes of their digests; the printable list is
 * this function's answer, once — the hub cannot print it again. Used by POST /api/code-batches and
 * `memberkiosk codes generate`, each of which records it in the audit log (audit entry below).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { newRedemptionCode, formatRedemptionCode, readRedemptionCode, redemptionCodeDigest } from '../../core/codes/redemption-code.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import type { AuditEntryInput } from '../identity/audit-entry.ts';
import type { CodeBatchSummary, CodeStore, CodeVerification } from '../ledger/code-store.ts';

const nextBatchId = createUlidFactory(Date.now, (n) => randomBytes(n));

/** The most codes one batch holds (one label roll; a bigger run is several batches). */
export const MAX_CODES_PER_BATCH = 100_000;

export const codeBatchRequestSchema = z.object({
  name: z.string().trim().min(1).max(64),
  sku: z.string().trim().min(1).max(64),
  points: z.number().int().positive().max(1_000_000),
  count: z.number().int().positive().max(MAX_CODES_PER_BATCH),
  /** UTC ISO instant, or a date (YYYY-MM-DD: the codes are good through that day, UTC). */
  expiresAt: z.union([z.iso.datetime({ offset: false }), z.iso.date()]),
});
export type CodeBatchRequest = z.infer<typeof codeBatchRequestSchema>;

export interface GeneratedBatch {
  batch: CodeBatchSummary;
  /** The printable codes (7K3M-Q9XH-2C4P-WD8N-F), shown this once. */
  codes: string[];
}

/** A date alone means the end of that day (UTC): redemptions from the next day on are refused. */
export function expiryInstant(expiresAt: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(expiresAt) ? new Date(Date.parse(`${expiresAt}T00:00:00.000Z`) + 86_400_000).toISOString() : new Date(Date.parse(expiresAt)).toISOString();
}

export async function generateCodeBatch(store: Pick<CodeStore, 'createCodeBatch'>, request: CodeBatchRequest, createdBy: string, now: Date = new Date(), random: (n: number) => Uint8Array = (n) => randomBytes(n)): Promise<GeneratedBatch> {
  const expiresAt = expiryInstant(request.expiresAt);
  if (expiresAt <= now.toISOString()) throw new CodedError('BAD_REQUEST', 'the codes would be expired already');
  const codes = new Set<string>();
  while (codes.size < request.count) codes.add(newRedemptionCode(random));
  const batch = await store.createCodeBatch(
    { batchId: nextBatchId(), name: request.name, sku: request.sku, points: request.points, expiresAt, createdAt: now.toISOString(), createdBy },
    [...codes].map(redemptionCodeDigest),
  );
  return { batch, codes: [...codes].map(formatRedemptionCode) };
}

/** The printable list: one code per line with its batch, product, points and expiry. */
export function codeBatchCsv({ batch, codes }: GeneratedBatch): string {
  const rows = codes.map((code) => [code, batch.name, batch.sku, String(batch.points), batch.expiresAt].map(csvField).join(','));
  return `code,batch,sku,points,expires_at\n${rows.join('\n')}\n`;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The audit line of a generation: who, and what — never a code. */
export function codeBatchAudit(batch: CodeBatchSummary, who: Pick<AuditEntryInput, 'actorKind' | 'actorId' | 'surface'>): AuditEntryInput {
  return {
    ...who,
    at: batch.createdAt,
    action: 'codes.generate',
    target: batch.batchId,
    outcome: 'ok',
    before: null,
    after: null,
    detail: { name: batch.name, sku: batch.sku, points: batch.points, count: batch.count, expiresAt: batch.expiresAt },
  };
}

/**
 * The anti-counterfeit check of a typed code: CODE_MALFORMED or CODE_CHECK_DIGIT for what is not a code (a
 * typo), else what the ledger holds of it (genuine, used, expired, unknown), without using it.
 */
export async function verifyTypedCode(store: Pick<CodeStore, 'verifyCode'>, typed: string, at: string): Promise<CodeVerification> {
  const reading = readRedemptionCode(typed);
  if (!reading.ok) throw new CodedError(reading.reason === 'check_digit' ? 'CODE_CHECK_DIGIT' : 'CODE_MALFORMED');
  return store.verifyCode(redemptionCodeDigest(reading.code), at);
}
