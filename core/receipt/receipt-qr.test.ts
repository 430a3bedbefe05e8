import { generateKeyPairSync, randomBytes } from 'node:crypto';
import qrcode from 'qrcode-generator';
import { describe, expect, it } from 'vitest';
import { decodeBase32, encodeBase32 } from './base32.ts';
import { decodeReceiptClaim, encodeReceiptClaim, type ReceiptClaim } from './receipt-claim.ts';
import { parseReceiptQr, RECEIPT_QR_PREFIX, signReceiptQr, verifyReceiptQr } from './receipt-qr.ts';
import { statedTotalCents } from './receipt-total.ts';

const kiosk = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const claim: ReceiptClaim = {
  txId: '01JD3Q7Z8X9Y0A1B2C3D4E5F6G',
  deviceId: 'kiosk-001',
  storeId: 'store-001',
  at: '2026-12-01T13:05:09Z',
  totalCents: 12_345,
  cardMasked: '******3D4A',
};

/** The text with one base32 character after the prefix changed to another valid one. */
function alterOneCharacter(text: string, at: number): string {
  const i = RECEIPT_QR_PREFIX.length + at;
  const replacement = text[i] === 'A' ? 'B' : 'A';
  return `${text.slice(0, i)}${replacement}${text.slice(i + 1)}`;
}

describe('base32', () => {
  it('round-trips every length, and refuses characters outside the alphabet and non-zero padding bits', () => {
    for (let n = 0; n < 40; n += 1) {
      const bytes = randomBytes(n);
      const text = encodeBase32(bytes);
      expect(text).toMatch(/^[A-Z2-7]*$/);
      expect(Buffer.from(decodeBase32(text)!)).toEqual(bytes);
    }
    expect(encodeBase32(Buffer.from('foobar'))).toBe('MZXW6YTBOI'); // RFC 4648's test vector, unpadded
    expect(decodeBase32('MZXW6YTBO1')).toBeNull();
    // "MZXW6YTBOJ": the last character's spare bits are not zero, so it is not the canonical encoding of any bytes.
    expect(decodeBase32('MZXW6YTBOJ')).toBeNull();
  });
});

describe('receipt claim', () => {
  it('encodes and decodes every field', () => {
    expect(decodeReceiptClaim(encodeReceiptClaim(claim))).toEqual(claim);
    const big = { ...claim, txId: '7ZZZZZZZZZZZZZZZZZZZZZZZZZ', totalCents: 99_999_999_999, storeId: '上海静安店', cardMasked: '' };
    expect(decodeReceiptClaim(encodeReceiptClaim(big))).toEqual(big);
  });

  it('keeps the time to the second', () => {
    expect(decodeReceiptClaim(encodeReceiptClaim({ ...claim, at: '2026-12-01T13:05:09.987Z' })).at).toBe('2026-12-01T13:05:09Z');
  });

  it('refuses what it cannot encode faithfully', () => {
    expect(() => encodeReceiptClaim({ ...claim, txId: 'not-a-ulid' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => encodeReceiptClaim({ ...claim, totalCents: -1 })).toThrow(expect.objectContaining({ code: 'MONEY_NOT_INTEGER' }));
    expect(() => encodeReceiptClaim({ ...claim, totalCents: 1.5 })).toThrow(expect.objectContaining({ code: 'MONEY_NOT_INTEGER' }));
    expect(() => encodeReceiptClaim({ ...claim, deviceId: 'a/b' })).toThrow(expect.objectContaining({ code: 'DEVICE_ID_INVALID' }));
  });

  it('refuses bytes that are short, long or hold a device id that is not one', () => {
    const bytes = encodeReceiptClaim(claim);
    expect(() => decodeReceiptClaim(bytes.subarray(0, bytes.length - 1))).toThrow(expect.objectContaining({ code: 'RECEIPT_QR_MALFORMED' }));
    expect(() => decodeReceiptClaim(Uint8Array.from([...bytes, 0]))).toThrow(expect.objectContaining({ code: 'RECEIPT_QR_MALFORMED' }));
  });
});

describe('receipt QR code', () => {
  it('verifies with the kiosk’s public key only', () => {
    const text = signReceiptQr(claim, kiosk.privateKey);
    expect(text.startsWith(RECEIPT_QR_PREFIX)).toBe(true);
    const parsed = parseReceiptQr(text);
    expect(parsed.claim).toEqual(claim);
    expect(verifyReceiptQr(parsed, kiosk.publicKey)).toBe(true);
    expect(verifyReceiptQr(parsed, kiosk.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(true);
    expect(verifyReceiptQr(parsed, stranger.publicKey)).toBe(false);
    expect(verifyReceiptQr(parsed, 'not a key')).toBe(false);
  });

  it('reads a code typed in lower case or with blanks around it (a scanner, a paste)', () => {
    const text = signReceiptQr(claim, kiosk.privateKey);
    const parsed = parseReceiptQr(`  ${text.toLowerCase()}\n`);
    expect(verifyReceiptQr(parsed, kiosk.publicKey)).toBe(true);
  });

  it('refuses a claim changed after signing: every character of the claim is covered', () => {
    const text = signReceiptQr(claim, kiosk.privateKey);
    const claimCharacters = Math.floor((encodeReceiptClaim(claim).length * 8) / 5);
    let refused = 0;
    for (let at = 0; at < claimCharacters; at += 1) {
      let parsed;
      try {
        parsed = parseReceiptQr(alterOneCharacter(text, at));
      } catch {
        refused += 1; // the change broke the format itself (a length byte): refused before any signature check
        continue;
      }
      expect(verifyReceiptQr(parsed, kiosk.publicKey)).toBe(false);
      refused += 1;
    }
    expect(refused).toBe(claimCharacters);
  });

  it('refuses text that is not a receipt code', () => {
    for (const text of ['', '01JD3Q7Z8X9Y0A1B2C3D4E5F6G', 'MKR1:', 'MKR1:!!!!', 'MKR2:AAAA', `MKR1:${'A'.repeat(2000)}`]) {
      expect(() => parseReceiptQr(text)).toThrow(expect.objectContaining({ code: 'RECEIPT_QR_MALFORMED' }));
    }
  });

  it('stays small: under 200 characters with ten-character ids, a QR code of version 8 or less at level M', () => {
    const text = signReceiptQr({ ...claim, deviceId: 'kiosk-0042', storeId: 'store-0042', totalCents: 1_234_567 }, kiosk.privateKey);
    expect(text.length).toBeLessThan(200);
    const qr = qrcode(0, 'M');
    qr.addData(text, 'Alphanumeric');
    qr.make();
    // Version v has 17 + 4v modules a side.
    expect((qr.getModuleCount() - 17) / 4).toBeLessThanOrEqual(8);
  });
});

describe('the total a receipt states', () => {
  it('is the priced total of a purchase, the amount of a top-up or repayment, the fee of a card service, else 0', () => {
    expect(statedTotalCents({ kind: 'purchase' }, 2_907)).toBe(2_907);
    expect(statedTotalCents({ kind: 'top_up', amountCents: 10_000 }, null)).toBe(10_000);
    expect(statedTotalCents({ kind: 'credit_repay', amountCents: 500 }, null)).toBe(500);
    expect(statedTotalCents({ kind: 'card_replace', feeCents: 1_000 }, null)).toBe(1_000);
    expect(statedTotalCents({ kind: 'card_replace' }, null)).toBe(0);
    expect(statedTotalCents({ kind: 'redeem_gift' }, null)).toBe(0);
  });
});
