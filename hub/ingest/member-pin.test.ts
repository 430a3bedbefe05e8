/** Members' PINs through the hub's look-ups and ledger (real aedes, real SQLite), tried as an attacker would. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FAILED_ATTEMPTS } from '../../core/identity/lockout.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_MEMBERS } from '../demo/seed-demo-data.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { kioskStaffActor } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const GOLD = DEMO_CARDS.gold;
const GOLD_PHONE = DEMO_MEMBERS.find((m) => m.card === GOLD)!.phone;
const big = (proof?: string) => ({
  kind: 'purchase' as const,
  cardUid: GOLD,
  lines: [{ lineNo: 1, sku: 'TV', category: 'electronics', qty: 1, unitPriceCents: 15_000 }],
  payments: [{ method: 'stored_value' as const, amountCents: 15_000 }],
  ...(proof ? { memberPinProof: proof } : {}),
});

describe('member PIN (real aedes, real SQLite)', () => {
  let env: TestHub;
  let kiosk: RawDeviceClient;
  let other: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    await env.hub.store.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, memberPin: { storedValueAboveCents: 10_000 } });
    kiosk = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-pin', await enrolForTest(env, 'kiosk-pin', { mode: 'unattended' }));
    other = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-other', await enrolForTest(env, 'kiosk-other', { mode: 'unattended' }));
  });

  afterEach(async () => {
    await kiosk.close();
    await other.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  async function proofFrom(device: RawDeviceClient, pin: string): Promise<string> {
    const answer = await device.lookup({ op: 'member.verifyPin', cardUid: GOLD, pin });
    if (!answer.ok || !('pinProof' in answer)) throw new Error(`no proof: ${JSON.stringify(answer)}`);
    return answer.pinProof.proofId;
  }

  it('is set once by the member; a second set needs a clerk\'s open staff session on that kiosk', async () => {
    expect(await kiosk.lookup({ op: 'member.verifyPin', cardUid: GOLD, pin: '9876' })).toMatchObject({ ok: false, code: 'MEMBER_PIN_NOT_SET' });
    expect(await kiosk.lookup({ op: 'member.setPin', cardUid: GOLD, pin: '9876' })).toEqual({ ok: true, pinSet: true });
    // Someone else holding the card (or naming its UID) cannot change it.
    expect(await kiosk.lookup({ op: 'member.setPin', cardUid: GOLD, pin: '1111' })).toMatchObject({ ok: false, code: 'MEMBER_PIN_SET_REFUSED' });
    // Another kiosk's staff session is no authority here.
    const elsewhere = await kioskStaffActor(env.hub.store, 'kiosk-other', 'cashier');
    expect(await kiosk.lookup({ op: 'member.setPin', cardUid: GOLD, pin: '1111', staffSessionId: elsewhere.sessionId })).toMatchObject({ ok: false, code: 'STAFF_SESSION_INVALID' });
    const clerk = await kioskStaffActor(env.hub.store, 'kiosk-pin', 'cashier');
    expect(await kiosk.lookup({ op: 'member.setPin', cardUid: GOLD, pin: '1111', staffSessionId: clerk.sessionId })).toEqual({ ok: true, pinSet: true });
    expect(await kiosk.lookup({ op: 'member.verifyPin', cardUid: GOLD, pin: '9876' })).toMatchObject({ ok: false, code: 'MEMBER_PIN_WRONG' });
    await proofFrom(kiosk, '1111');
    const audited = (await env.hub.store.identity.auditEntries({ limit: 20, action: 'member.' })).map((e) => [e.action, e.outcome, e.actorId]);
    expect(audited).toContainEqual(['member.reset_pin', 'ok', clerk.staffId]);
    expect(audited).toContainEqual(['member.set_pin', 'refused:MEMBER_PIN_SET_REFUSED', 'kiosk-pin']);
  });

  it('locks after repeated wrong PINs, by card and by phone alike', async () => {
    await kiosk.lookup({ op: 'member.setPin', cardUid: GOLD, pin: '9876' });
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i += 1) expect(await kiosk.lookup({ op: 'member.verifyPhonePin', phone: GOLD_PHONE, pin: '0000' })).toMatchObject({ ok: false, code: 'MEMBER_PIN_WRONG' });
    expect(await kiosk.lookup({ op: 'member.verifyPin', cardUid: GOLD, pin: '0000' })).toMatchObject({ ok: false, code: 'MEMBER_PIN_LOCKED' });
    expect(await kiosk.lookup({ op: 'member.verifyPin', cardUid: GOLD, pin: '9876' })).toMatchObject({ ok: false, code: 'MEMBER_PIN_LOCKED' });
    // An unknown phone is answered like a wrong PIN: the kiosk is no oracle of who is a member.
    expect(await kiosk.lookup({ op: 'member.verifyPhonePin', phone: '13999999999', pin: '9876' })).toMatchObject({ ok: false, code: 'MEMBER_PIN_WRONG' });
  });

  it('guards large stored-value payments: refused without a proof, with another kiosk\'s proof or a made-up one; applied with this kiosk\'s', async () => {
    await kiosk.lookup({ op: 'member.setPin', cardUid: GOLD, pin: '9876' });
    const before = (await env.hub.store.memberViewByCard(GOLD))!.balances.storedValueCents;
    expect(await kiosk.send(kiosk.make(big()))).toMatchObject({ status: 'rejected', code: 'MEMBER_PIN_REQUIRED', recorded: true });
    const othersProof = await proofFrom(other, '9876');
    expect(await kiosk.send(kiosk.make(big(othersProof)))).toMatchObject({ status: 'rejected', code: 'MEMBER_PIN_REQUIRED' });
    expect(await kiosk.send(kiosk.make(big('made-up-proof-00000000')))).toMatchObject({ status: 'rejected', code: 'MEMBER_PIN_REQUIRED' });
    expect((await env.hub.store.memberViewByCard(GOLD))!.balances.storedValueCents).toBe(before);
    const applied = await kiosk.send(kiosk.make(big(await proofFrom(kiosk, '9876'))));
    expect(applied.status).toBe('applied');
    expect(applied.outcome?.balances.storedValueCents).toBe(before - 15_000);
  });

  it('lets a member whose card is gone report it lost with phone and PIN; the loss names the hub\'s proof', async () => {
    await kiosk.lookup({ op: 'member.setPin', cardUid: GOLD, pin: '9876' });
    const answer = await kiosk.lookup({ op: 'member.verifyPhonePin', phone: GOLD_PHONE, pin: '9876' });
    if (!answer.ok || !('pinProof' in answer)) throw new Error(JSON.stringify(answer));
    expect(answer.cardUid).toBe(GOLD);
    const forged = await other.send(other.make({ kind: 'card_report_loss', cardUid: GOLD, memberPinProof: answer.pinProof.proofId }));
    expect(forged).toMatchObject({ status: 'rejected', code: 'MEMBER_PIN_REQUIRED' });
    const lost = await kiosk.send(kiosk.make({ kind: 'card_report_loss', cardUid: GOLD, memberPinProof: answer.pinProof.proofId }));
    expect(lost.status).toBe('applied');
    expect(await kiosk.lookup({ op: 'member.byCard', cardUid: GOLD })).toMatchObject({ ok: false, code: 'CARD_LOST' });
  });
});
