import { z } from 'zod';
import type { ErrorCode } from '../errors/codes.ts';
import { MAX_MQTT_PACKET_BYTES, MAX_TX_BYTES } from './limits.ts';
import { KNOWN_TX_FORMATS, isTxKind, transactionSchemas, txHeaderSchema, txSlotSchema, type Transaction, type TxSlot } from './transaction.ts';

/** What is known of a transaction whose slot (id, device, epoch, seq) is readable, enough to record it. */
export interface RecordableHeader extends TxSlot {
  /** The kind it claims ('unknown' when it names none). */
  kind: string;
  /** Its createdAt when that is a valid UTC time, else null. */
  createdAt: string | null;
}

export type ParsedTransaction =
  | { ok: true; tx: Transaction; raw: string }
  /** No readable slot: nothing can be recorded, the device only gets told (with the id when one is readable). */
  | { ok: false; stage: 'envelope'; code: ErrorCode; message: string; id: string | null }
  /** A readable slot but a payload that cannot be applied: recorded as a rejected transaction in the device's order. */
  | { ok: false; stage: 'body'; code: ErrorCode; message: string; header: RecordableHeader; raw: string };

/**
 * Parses a payload off the wire. `raw` is the payload's text exactly as received: kiosks resend byte-identical
 * payloads, so the idempotency check compares raw hashes first and falls back to canonical JSON (keys sorted,
 * see sameContent) only when the bytes differ.
 *
 * Every refusal that can be attributed is: a payload over MAX_TX_BYTES but within the broker's packet limit
 * is still read for its slot and refused as TX_TOO_LARGE under its id and seq, so the hub records it and the
 * kiosk's queue moves on instead of resending it forever.
 */
export function parseTransaction(payload: Uint8Array | string): ParsedTransaction {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_MQTT_PACKET_BYTES) {
    return { ok: false, stage: 'envelope', code: 'TX_TOO_LARGE', message: `payload is ${size} bytes; the broker limit is ${MAX_MQTT_PACKET_BYTES}`, id: null };
  }
  const text = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, stage: 'envelope', code: 'TX_MALFORMED', message: 'payload is not JSON', id: null };
  }
  const record = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  // Happy path first: one schema pass for a known kind. Only a failure pays for parsing the slot alone, which
  // decides whether the refusal can be recorded in the device's order.
  const kind = record?.kind;
  const format = record?.v ?? 1;
  if (size <= MAX_TX_BYTES && typeof kind === 'string' && isTxKind(kind) && KNOWN_TX_FORMATS.includes(format as number)) {
    const full = transactionSchemas[kind].safeParse(json);
    if (full.success) return { ok: true, tx: full.data, raw: text };
  }
  const slot = txSlotSchema.safeParse(json);
  if (!slot.success) {
    const id = typeof record?.id === 'string' ? record.id.slice(0, 64) : null;
    return { ok: false, stage: 'envelope', code: 'TX_MALFORMED', message: describe(slot.error), id };
  }
  const createdAt = z.iso.datetime({ offset: false }).safeParse(record?.createdAt);
  const header: RecordableHeader = {
    ...slot.data,
    kind: typeof kind === 'string' ? kind.slice(0, 40) : 'unknown',
    createdAt: createdAt.success ? createdAt.data : null,
  };
  const refuse = (code: ErrorCode, message: string): ParsedTransaction => ({ ok: false, stage: 'body', code, message, header, raw: text });
  if (size > MAX_TX_BYTES) return refuse('TX_TOO_LARGE', `payload is ${size} bytes; the limit is ${MAX_TX_BYTES}`);
  if (!KNOWN_TX_FORMATS.includes(format as number)) return refuse('TX_FORMAT_UNSUPPORTED', `transaction format ${JSON.stringify(format)} is not one this hub reads`);
  const fullHeader = txHeaderSchema.safeParse(json);
  if (!fullHeader.success) return refuse('TX_INVALID', describe(fullHeader.error));
  if (!isTxKind(fullHeader.data.kind)) return refuse('TX_UNKNOWN_KIND', `unknown kind '${header.kind}'`);
  const body = transactionSchemas[fullHeader.data.kind].safeParse(json);
  return body.success ? { ok: true, tx: body.data, raw: text } : refuse('TX_INVALID', describe(body.error));
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

/**
 * Same transaction content apart from its place in the device's order (epoch and seq): what a kiosk sends when
 * it moves a pending entry into a new epoch. The same id with the same content is the same transaction.
 */
export function sameContentElsewhere(rawA: string, rawB: string): boolean {
  try {
    const withoutSlot = (raw: string) => {
      const { seq: _seq, epoch: _epoch, prevId: _prevId, ...rest } = JSON.parse(raw) as Record<string, unknown>;
      return canonicalJson(rest);
    };
    return withoutSlot(rawA) === withoutSlot(rawB);
  } catch {
    return false;
  }
}
