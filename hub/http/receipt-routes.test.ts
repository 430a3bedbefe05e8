/**
 * POST /api/receipts/verify on a real hub (HTTPS, SQLite ledger, fleet): a kiosk enrolled through the real
 * enrolment functions signs its receipt with the key whose public half the hub registered; the ledger applied the
 * purchase it names. A genuine receipt answers the ledger's record; a tampered one, one signed by another key, one
 * naming a kiosk or a transaction the hub does not know, and one whose total the ledger did not charge are each
 * refused with their own code. Staff see their own stores' receipts only.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';
import { encodeBase32, decodeBase32 } from '../../core/receipt/base32.ts';
import { encodeReceiptClaim, type ReceiptClaim } from '../../core/receipt/receipt-claim.ts';
import { RECEIPT_QR_PREFIX, signReceiptQr } from '../../core/receipt/receipt-qr.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { enrolForTest, type DeviceCredentials } from '../testing/enrol-for-test.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { demoStoreStaffTokens } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

describe('receipt verification over the hub API (real hub, real enrolled kiosk key)', () => {
  let env: TestHub;
  let kiosk: DeviceCredentials;
  let tokens: Awaited<ReturnType<typeof demoStoreStaffTokens>>;
  let claim: ReceiptClaim;
  let genuine: string;
  const verify = (qr: unknown, token?: string) => hubHttps(env, 'POST', '/api/receipts/verify', { body: { qr }, ...(token ? { token } : {}) });
  const errorOf = (answer: { body: Record<string, unknown> }) => (answer.body.error as { code: string; details?: Record<string, unknown> }).code;

  beforeAll(async () => {
    env = await startTestHub();
    kiosk = await enrolForTest(env, 'kiosk-receipts');
    tokens = await demoStoreStaffTokens(env.hub.store);
    // A purchase of 25.80 the kiosk made (cash, at an attended counter), applied by the ledger.
    const id = nextId();
    const createdAt = new Date().toISOString();
    const payload = {
      v: TX_FORMAT, id, deviceId: kiosk.deviceId, epoch: 'E1', seq: 1, createdAt, storeId: DEMO_STORE_ID, bundleVersion: 0,
      kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'MILK', category: 'dairy', qty: 2, unitPriceCents: 1_290 }], payments: [{ method: 'cash', amountCents: 2_580 }],
    };
    const [result] = await env.hub.store.applyBatch([{ topicDeviceId: kiosk.deviceId, parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
    expect(result?.status).toBe('applied');
    claim = { txId: id, deviceId: kiosk.deviceId, storeId: DEMO_STORE_ID, at: createdAt, totalCents: 2_580, cardMasked: maskCardUid(DEMO_CARDS.gold) };
    genuine = signReceiptQr(claim, createPrivateKey(kiosk.privateKeyPem));
  });
  afterAll(async () => {
    await env.dispose();
  });

  it('answers a genuine receipt with the ledger’s record of its transaction', async () => {
    const answer = await verify(genuine, tokens.cashier);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      genuine: true,
      receipt: { txId: claim.txId, totalCents: 2_580, cardMasked: maskCardUid(DEMO_CARDS.gold) },
      kiosk: { deviceId: kiosk.deviceId, storeId: DEMO_STORE_ID, revokedAt: null },
      ledger: { txId: claim.txId, kind: 'purchase', status: 'applied', storeId: DEMO_STORE_ID, deviceId: kiosk.deviceId, totalCents: 2_580, at: expect.any(String) },
    });
  });

  it('refuses a receipt whose text was changed after the kiosk signed it', async () => {
    // The total raised to 258.00, the claim re-encoded, the kiosk's signature kept.
    const bytes = decodeBase32(genuine.slice(RECEIPT_QR_PREFIX.length))!;
    const signature = bytes.subarray(bytes.length - 64);
    const raised = `${RECEIPT_QR_PREFIX}${encodeBase32(Buffer.concat([encodeReceiptClaim({ ...claim, totalCents: 25_800 }), signature]))}`;
    const answer = await verify(raised, tokens.admin);
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toBe('RECEIPT_SIGNATURE_INVALID');
    // Nothing of what it claims is repeated back as if it were true.
    expect(JSON.stringify(answer.body)).not.toContain('25800');
  });

  it('refuses a receipt signed by any other key than the kiosk’s own', async () => {
    const forged = signReceiptQr(claim, generateKeyPairSync('ed25519').privateKey);
    expect(errorOf(await verify(forged, tokens.admin))).toBe('RECEIPT_SIGNATURE_INVALID');
  });

  it('names a kiosk the hub never enrolled', async () => {
    const answer = await verify(signReceiptQr({ ...claim, deviceId: 'kiosk-nobody' }, generateKeyPairSync('ed25519').privateKey), tokens.admin);
    expect(answer.status).toBe(404);
    expect(errorOf(answer)).toBe('RECEIPT_DEVICE_UNKNOWN');
  });

  it('says when a genuine receipt’s transaction is not in the ledger (still queued on the kiosk)', async () => {
    const queued = signReceiptQr({ ...claim, txId: nextId() }, createPrivateKey(kiosk.privateKeyPem));
    const answer = await verify(queued, tokens.admin);
    expect(answer.status).toBe(404);
    expect(errorOf(answer)).toBe('RECEIPT_NOT_IN_LEDGER');
    expect((answer.body.error as { message: string }).message).toMatch(/queued/);
  });

  it('says when a genuine receipt states another total than the ledger charged', async () => {
    const wrong = signReceiptQr({ ...claim, totalCents: 2_000 }, createPrivateKey(kiosk.privateKeyPem));
    const answer = await verify(wrong, tokens.admin);
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'RECEIPT_MISMATCH', details: { differences: [{ field: 'totalCents', receipt: 2_000, ledger: 2_580 }] } });
  });

  it('refuses text that is not a receipt code, and callers without a session or outside the store', async () => {
    const malformed = await verify('01JD3Q7Z8X9Y0A1B2C3D4E5F6G', tokens.admin);
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)).toBe('RECEIPT_QR_MALFORMED');
    expect(errorOf(await verify(42, tokens.admin))).toBe('BAD_REQUEST');
    expect((await verify(genuine)).status).toBe(401);
    const outside = await verify(genuine, tokens.otherManager);
    expect(outside.status).toBe(403);
    expect(JSON.stringify(outside.body)).not.toContain('2580');
  });
});
