/**
 * Reading a payload as the ledger does: core's parseTransaction, plus the kinds only HQ makes (points expiry,
 * tier review), which a kiosk's parser calls unknown. A kiosk that sends one gets it read here and refused by
 * its planner (TX_NOT_ALLOWED_FROM_DEVICE, recorded), as a manual bonus from a kiosk is.
 */
import type { z } from 'zod';
import { parseTransaction, type ParsedTransaction } from '../../core/wire/parse-transaction.ts';
import { hqOnlyTransactionSchemas, isHqOnlyTxKind, type LedgerTransaction } from '../../core/wire/transaction.ts';

export type LedgerParsedTransaction = Exclude<ParsedTransaction, { ok: true }> | { ok: true; tx: LedgerTransaction; raw: string };

export function parseLedgerTransaction(payload: Uint8Array | string): LedgerParsedTransaction {
  return withHqOnlyKinds(parseTransaction(payload));
}

/** A payload refused only for naming an HQ-only kind, read with that kind's schema; anything else unchanged. */
export function withHqOnlyKinds(parsed: LedgerParsedTransaction): LedgerParsedTransaction {
  if (parsed.ok || parsed.stage !== 'body' || parsed.code !== 'TX_UNKNOWN_KIND') return parsed;
  const kind = parsed.header.kind;
  if (!isHqOnlyTxKind(kind)) return parsed;
  const body = hqOnlyTransactionSchemas[kind].safeParse(JSON.parse(parsed.raw));
  return body.success ? { ok: true, tx: body.data, raw: parsed.raw } : { ...parsed, code: 'TX_INVALID', message: describe(body.error) };
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
