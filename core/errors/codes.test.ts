import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALERT_CODES } from '../wire/alerts.ts';
import { ERROR_CODES, HTTP_ERROR_STATUSES, httpStatusOf, isErrorCode, type ErrorCode } from './codes.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCANNED = ['core', 'device', 'hub', 'drivers', 'scripts', 'e2e', 'bench'];

/** Codes that are not ours: Node's and fastify's error codes a source may compare with. Alerts have their own registry. */
const FOREIGN = new Set(['ECONNREFUSED', 'ECONNRESET', 'EADDRINUSE', 'EEXIST', 'EPERM', 'ENOENT', 'EACCES', 'ETIMEDOUT', 'MODULE_NOT_FOUND']);
const isForeign = (code: string) => FOREIGN.has(code) || code.startsWith('FST_') || code.startsWith('ERR_') || code in ALERT_CODES;

const TOKEN = String.raw`([A-Z][A-Z0-9_]{2,})`;
const Q = String.raw`['"]`;
/** Where a source names an error code as a bare string. */
const PATTERNS: RegExp[] = [
  // { code: 'X' }, code = 'X', code?: 'X'
  new RegExp(String.raw`\bcode\??\s*[:=]\s*${Q}${TOKEN}${Q}`, 'g'),
  // x.code === 'X', (a && a.code) !== 'X', code !== ('X' satisfies ErrorCode)
  new RegExp(String.raw`\bcode\)?\s*[!=]==?\s*\(?\s*${Q}${TOKEN}${Q}`, 'g'),
  // notice.code || "REJECTED" (the kiosk page)
  new RegExp(String.raw`\bcode\)?\s*\|\|\s*${Q}${TOKEN}${Q}`, 'g'),
  // new CodedError('X'), new KioskError('X'), new DriverError('X'), HttpError(404, 'X'), errorAnswer('X'), recordError('X'), sayError("X")…
  new RegExp(
    String.raw`\b(?:CodedError|KioskError|DriverError|HttpError|errorAnswer|unavailable|recordError|fail|sayError|plain|expectCoded|withCode)\(\s*(?:\d+\s*,\s*)?${Q}${TOKEN}${Q}`,
    'g',
  ),
  // 'X' satisfies ErrorCode
  new RegExp(String.raw`${Q}${TOKEN}${Q}\s*\)?\s*satisfies\s+ErrorCode\b`, 'g'),
  // the kiosk page's table of plain words per code: CARD_LOST: ["This card is reported lost", …]
  new RegExp(String.raw`^\s*${TOKEN}:\s*\["`, 'gm'),
];

function sourceFiles(): string[] {
  const files: string[] = [];
  for (const dir of SCANNED) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (entry.split(/[\\/]/).includes('node_modules')) continue;
      if (/\.(ts|mts|js|mjs)$/.test(entry)) files.push(join(ROOT, dir, entry));
    }
  }
  return files;
}

/** Every code the sources use as a bare string, with where. */
function codesUsedInSources(): Map<string, string[]> {
  const self = fileURLToPath(import.meta.url);
  const used = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    if (file === self) continue;
    const text = readFileSync(file, 'utf8');
    for (const pattern of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const code = match[1];
        if (code === undefined) continue;
        const line = text.slice(0, match.index).split('\n').length;
        const where = used.get(code) ?? [];
        where.push(`${relative(ROOT, file)}:${line}`);
        used.set(code, where);
      }
    }
  }
  return used;
}

describe('the error code registry', () => {
  const entries = Object.entries(ERROR_CODES);

  it('gives every code a message and a valid HTTP status; log-only codes are 500', () => {
    expect(entries.length).toBeGreaterThan(90);
    for (const [code, spec] of entries) {
      expect(code, code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(spec.message.trim().length, code).toBeGreaterThan(5);
      expect(HTTP_ERROR_STATUSES as readonly number[], code).toContain(spec.http);
      expect(spec.http >= 400 && spec.http <= 599, code).toBe(true);
      if ('kind' in spec && spec.kind === 'log') expect(spec.http, code).toBe(500);
      expect(isErrorCode(code)).toBe(true);
    }
    expect(isErrorCode('NOT_A_CODE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('shares no name with the alert registry', () => {
    expect(Object.keys(ALERT_CODES).filter((code) => code in ERROR_CODES)).toEqual([]);
  });

  it('keeps the statuses the kiosk and hub APIs answer', () => {
    const answered: [ErrorCode, number][] = [
      ['BAD_REQUEST', 400], ['NOT_FOUND', 404], ['REQUEST_TOO_LARGE', 413], ['REQUEST_MEDIA_TYPE_UNSUPPORTED', 415],
      ['TX_TOO_LARGE', 413], ['TX_INVALID', 400], ['TX_NOT_FOUND', 404], ['IDEMPOTENCY_KEY_INVALID', 400], ['IDEMPOTENCY_KEY_REUSED', 409],
      ['CARD_ALREADY_EXISTS', 409], ['CARD_BAD_STATE', 409], ['CARD_UNKNOWN', 404], ['MEMBER_UNKNOWN', 404],
      ['SESSION_NO_CARD', 409], ['REGISTER_NOT_OFFERED', 409], ['SIM_DISABLED', 404], ['SIM_READER_STOPPED', 409],
      ['STAFF_UNAUTHORIZED', 403], ['MANUAL_BONUS_REFUSED', 400], ['INSUFFICIENT_STORED_VALUE', 400], ['INTERNAL', 500],
      // identity and trust: not signed in 401, signed in but not allowed 403, locked out 429
      ['AUTH_REQUIRED', 401], ['AUTH_FORBIDDEN', 403], ['LOGIN_FAILED', 401], ['STAFF_SESSION_REQUIRED', 401], ['STAFF_PIN_WRONG', 401],
      ['STAFF_LOCKED', 429], ['CARD_NOT_ON_READER', 403], ['TENDER_NOT_ALLOWED', 403], ['HOST_NOT_ALLOWED', 403],
    ];
    expect(answered.map(([code]) => [code, httpStatusOf(code)])).toEqual(answered);
  });

  it('never loses a code: codes are part of the wire protocol (add new ones, never rename)', () => {
    const published = `TX_MALFORMED TX_TOO_LARGE TX_INVALID TX_UNKNOWN_KIND TX_DEVICE_MISMATCH TX_ID_CONFLICT TX_OUT_OF_ORDER TX_SEQ_REUSED
      TX_NOT_ALLOWED_FROM_DEVICE TX_FORMAT_UNSUPPORTED TX_EPOCH_CLOSED IDEMPOTENCY_KEY_INVALID IDEMPOTENCY_KEY_REUSED LOOKUP_RESPONSE_TOO_LARGE
      REQUEST_MALFORMED BAD_REQUEST NOT_FOUND REQUEST_TOO_LARGE REQUEST_MEDIA_TYPE_UNSUPPORTED TX_NOT_FOUND MONEY_NOT_INTEGER MONEY_BAD_RATE
      MONEY_OVERFLOW CARD_UNKNOWN CARD_LOST CARD_FROZEN CARD_CANCELLED CARD_EXPIRED CARD_ALREADY_EXISTS CARD_BAD_STATE MEMBER_UNKNOWN
      MEMBER_PHONE_TAKEN REFERRER_UNKNOWN INSUFFICIENT_STORED_VALUE INSUFFICIENT_POINTS PAYMENT_MISMATCH GIFT_UNKNOWN GIFT_OUT_OF_STOCK
      REFUND_UNKNOWN_PURCHASE REFUND_BAD_LINES AMOUNT_NOT_POSITIVE STAFF_UNAUTHORIZED RULES_INVALID POINTS_PAYMENT_OVER_SHARE
      POINTS_PAYMENT_UNDER_MINIMUM PUNCH_CARD_EXHAUSTED PUNCH_CARD_UNKNOWN PAID_UPGRADE_UNKNOWN MANUAL_BONUS_REFUSED RULES_DISAGREEMENT
      POINTS_EXPIRY_NOTHING_DUE TIER_REVIEW_STALE SESSION_NO_CARD REGISTER_NOT_OFFERED SIM_DISABLED SIM_READER_STOPPED HUB_UNREACHABLE
      LOOKUP_RESPONSE_MALFORMED KIOSK_UNREACHABLE NAME_MISSING PHONE_INVALID REJECTED LOOKUP_FAILED MEMBER_CACHE_UNREADABLE
      OUTBOX_RESULT_UNREADABLE OUTBOX_WRITE_FAILED RECEIPT_PRINT_FAILED TX_RESULT_MALFORMED TX_RESULT_WITHOUT_ID LINK_ERROR LINK_STALLED
      STATE_REPORT_TOO_LARGE DRIVER_PORT_NOT_FOUND DRIVER_PORT_OPEN_FAILED DRIVER_PORT_LOST DRIVER_FRAME_REJECTED DRIVER_PCSC_UNAVAILABLE
      DRIVER_PCSC_READER_ERROR DRIVER_PRINTER_UNREACHABLE DRIVER_PRINTER_STATUS_TIMEOUT DRIVER_PRINTER_PAPER_OUT DRIVER_PRINTER_COVER_OPEN
      DRIVER_PRINT_QUEUE_FULL DRIVER_STOPPED MQTT_PACKET_TOO_LARGE MQTT_PACKET_MALFORMED BROKER_UNREACHABLE BROKER_AUTH_REFUSED
      BROKER_CONNECT_REFUSED BROKER_CONNECTION_LOST INTERNAL`.split(/\s+/);
    expect(published.filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it('holds every code the sources use (core, device, hub, drivers, scripts, e2e, bench)', () => {
    const used = codesUsedInSources();
    // The scan must see the codes it exists for, or its patterns have gone stale.
    for (const code of ['BAD_REQUEST', 'TX_NOT_FOUND', 'SESSION_NO_CARD', 'LOOKUP_FAILED', 'OUTBOX_WRITE_FAILED', 'DRIVER_PORT_LOST', 'KIOSK_UNREACHABLE', 'CARD_LOST']) {
      expect(used.has(code), `the scan no longer finds ${code}`).toBe(true);
    }
    const missing = [...used].filter(([code]) => !isErrorCode(code) && !isForeign(code)).map(([code, where]) => `${code} (${where.slice(0, 3).join(', ')})`);
    expect(missing, 'codes used in the sources but missing from core/errors/codes.ts').toEqual([]);
  });
});
