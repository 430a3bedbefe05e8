import { z } from 'zod';
import type { ErrorCode } from '../errors/codes.ts';
import { MAX_TX_BYTES, isTxKind, transactionSchemas, txHeaderSchema, type Transaction, type TxHeader } from './transaction.ts';

export type ParsedTransaction =
  | { ok: true; tx: Transaction; raw: string }
  /** No usable header: nothing can be recorded, the device only gets told. */
  | { ok: false; stage: 'envelope'; code: ErrorCode; message: string; id: string | null }
  /** A sound header with a bad body: recorded as a rejected transaction in the device's order. */
  | { ok: false; stage: 'body'; code: ErrorCode; message: string; header: TxHeader; raw: string };

/**
 * Parses a payload off the wire. `raw` is the payload's text exactly as received: kiosks resend byte-identical
 * payloads, so the idempotency check compares raw hashes first and falls back to canonical JSON (keys sorted,
 * see sameContent) only when the bytes differ.
 */
export function parseTransaction(payload: Uint8Array | string): ParsedTransaction {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_TX_BYTES) {
    return { ok: false, stage: 'envelope', code: 'TX_TOO_LARGE', message: `payload is ${size} bytes; the limit is ${MAX_TX_BYTES}`, id: null };
  }
  const text = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, stage: 'envelope', code: 'TX_MALFORMED', message: 'payload is not JSON', id: null };
  }
  // Happy path first: one schema pass for a known kind. Only a failure pays for parsing the header alone,
  // which decides whether the refusal can be recorded in the device's order.
  const kind = typeof json === 'object' && json !== null ? (json as { kind?: unknown }).kind : undefined;
  if (typeof kind === 'string' && isTxKind(kind)) {
    const full = transactionSchemas[kind].safeParse(json);
    if (full.success) return { ok: true, tx: full.data as Transaction, raw: text };
  }
  const header = txHeaderSchema.safeParse(json);
  if (!header.success) {
    const id = typeof json === 'object' && json !== null && typeof (json as { id?: unknown }).id === 'string' ? (json as { id: string }).id.slice(0, 64) : null;
    return { ok: false, stage: 'envelope', code: 'TX_MALFORMED', message: describe(header.error), id };
  }
  if (!isTxKind(header.data.kind)) {
    return { ok: false, stage: 'body', code: 'TX_UNKNOWN_KIND', message: `unknown kind '${header.data.kind}'`, header: header.data, raw: text };
  }
  const body = transactionSchemas[header.data.kind].safeParse(json);
  return body.success
    ? { ok: true, tx: body.data as Transaction, raw: text }
    : { ok: false, stage: 'body', code: 'TX_INVALID', message: describe(body.error), header: header.data, raw: text };
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** JSON with object keys sorted at every depth: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}

/** Same transaction content, whatever the key order or spacing of the two payloads. */
export function sameContent(rawA: string, rawB: string): boolean {
  if (rawA === rawB) return true;
  try {
    return canonicalJson(JSON.parse(rawA)) === canonicalJson(JSON.parse(rawB));
  } catch {
    return false;
  }
}
