import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import { openMemberCache, type MemberCache } from '../cache/member-cache.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { buildReceipt } from '../receipt/build-receipt.ts';
import { buildCardSource } from '../hardware/build-hardware.ts';
import { simulatedTaps } from '../hardware/card-reader-source.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeMember } from '../test-support/members.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';
import { createKioskSession, STAFF_PIN_WINDOW_MS, type KioskSession, type SessionTimeouts } from './kiosk-session.ts';

const CARD = '04A1B2C3D4';

describe('kiosk session', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let cache: MemberCache;
  let outbox: Outbox;
  let session: KioskSession | null = null;
  let answer: (req: LookupRequest) => Promise<LookupResponse | null>;

  beforeEach(() => {
    temp = makeTempDir();
    const log = createCaptureLogger().logger;
    cache = openMemberCache({ path: join(temp.dir, 'device.sqlite'), logger: log });
    outbox = openOutbox({ path: join(temp.dir, 'device.sqlite'), deviceId: 'kiosk-1', storeId: 'store-1', logger: log });
    answer = async () => null;
  });
  afterEach(() => {
    session?.stop();
    cache.close();
    outbox.close();
    temp.cleanup();
  });

  function make(timeouts: Partial<SessionTimeouts> = {}): KioskSession {
    session = createKioskSession({
      lookup: (req) => answer(req),
      cache,
      logger: createCaptureLogger().logger,
      timeouts,
    });
    return session;
  }

  it('goes idle → card → member with the hub answer, caches it, and never shows the full UID', async () => {
    answer = async () => ({ ok: true, member: makeMember(CARD) });
    const s = make();
    const seen: string[] = [];
    s.on('change', (v) => seen.push(v.name));
    await s.handleTap({ uid: CARD });
    expect(seen).toEqual(['card', 'member']);
    expect(s.view()).toMatchObject({ name: 'member', source: 'hub', offline: false, card: '******C3D4' });
    expect(JSON.stringify(s.view())).not.toContain(CARD);
    expect(cache.get(CARD)?.member.name).toBe('Ada Member');
  });

  it('keeps a tapped staff card up long enough to type the PIN, while other errors go back to idle at errorMs', async () => {
    answer = async (req) => (req.op === 'member.byCard' && req.cardUid === '5AFF0001' ? { ok: false, code: 'CARD_IS_STAFF', message: 'staff' } : { ok: false, code: 'CARD_UNKNOWN', message: 'unknown' });
    const s = make({ errorMs: 1_000 });
    await s.handleTap({ uid: '5AFF0001' });
    const staffView = s.view();
    expect(staffView).toMatchObject({ name: 'error', code: 'CARD_IS_STAFF' });
    expect(Date.parse(staffView.expiresAt!) - Date.now()).toBeGreaterThan(STAFF_PIN_WINDOW_MS - 2_000);
    await s.handleTap({ uid: 'FFFF0000' });
    expect(Date.parse(s.view().expiresAt!) - Date.now()).toBeLessThanOrEqual(1_000);
  });

  it('falls back to the cached member, marked offline, when the hub does not answer', async () => {
    cache.put(CARD, makeMember(CARD, { asOf: '2026-01-01T00:00:00.000Z' }));
    answer = async () => null;
    const s = make();
    await s.handleTap({ uid: CARD });
    expect(s.view()).toMatchObject({ name: 'member', source: 'cache', offline: true, asOf: '2026-01-01T00:00:00.000Z' });
  });

  it('shows CARD_UNKNOWN only on the hub\'s word; a card neither answered for nor cached is CARD_CHECK_UNAVAILABLE', async () => {
    const s = make();
    answer = async () => ({ ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' });
    await s.handleTap({ uid: 'DEADBEEF' });
    expect(s.view()).toMatchObject({ name: 'error', code: 'CARD_UNKNOWN', offline: false });
    expect(s.beginRegistration()).toBe(true);
    s.reset();
    answer = async () => null;
    await s.handleTap({ uid: 'DEADBEEF' });
    expect(s.view()).toMatchObject({ name: 'error', code: 'CARD_CHECK_UNAVAILABLE', offline: true });
    expect(s.beginRegistration()).toBe(false);
    expect(s.view().name).toBe('error');
  });

  it('prefers the hub saying the card is lost over a cached view', async () => {
    cache.put(CARD, makeMember(CARD));
    answer = async () => ({ ok: false, code: 'CARD_LOST', message: 'card is reported lost' });
    const s = make();
    await s.handleTap({ uid: CARD });
    expect(s.view()).toMatchObject({ name: 'error', code: 'CARD_LOST' });
  });

  it('times out back to idle', async () => {
    answer = async () => ({ ok: true, member: makeMember(CARD) });
    const s = make({ memberMs: 50 });
    await s.handleTap({ uid: CARD });
    expect(s.view().name).toBe('member');
    await eventually(() => s.view().name === 'idle', 'back to idle', 2000);
  });

  it('drops a slow answer that arrives after the session moved on', async () => {
    let release: (r: LookupResponse) => void = () => undefined;
    answer = () => new Promise((resolve) => (release = resolve));
    const s = make();
    const tap = s.handleTap({ uid: CARD });
    expect(s.view().name).toBe('card');
    s.reset();
    release({ ok: true, member: makeMember(CARD) });
    await tap;
    expect(s.view().name).toBe('idle');
  });

  it('runs member → action → receipt with the receipt it is given, the new balances and the result, never a full UID', async () => {
    answer = async () => ({ ok: true, member: makeMember(CARD) });
    const s = make();
    // The drivers' own simulated reader, built through the driver registry.
    const cards = buildCardSource({ kind: 'simulated' }, createCaptureLogger().logger);
    const detach = s.attach(cards);
    await cards.start();
    expect(simulatedTaps(cards)?.tap(CARD.toLowerCase())).toBe(true);
    await eventually(() => s.view().name === 'member', 'member shown');
    expect(s.beginAction('purchase')).toBe(true);
    expect(s.view().name).toBe('action');
    expect(s.beginAction('purchase')).toBe(false);
    const tx = outbox.append({ kind: 'purchase', cardUid: CARD, lines: [{ lineNo: 1, sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 }], payments: [{ method: 'stored_value', amountCents: 700 }] });
    const balances = { storedValueCents: 11_645, bonusValueCents: 500, points: 810 };
    const result = { id: tx.id, seq: tx.seq, status: 'applied' as const, outcome: { kind: 'purchase', memberId: 'M', cardUid: CARD, tier: 'gold', balances, pointsEarned: 10, pointsSpent: 0, valueDeltaCents: -700, trace: ['base 1 pt/yuan: +10'] } };
    const receipt = buildReceipt({ tx, status: 'applied', result, memberName: 'Ada Member', context: { header: ['STORE ONE'], footer: ['bye'], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }, at: '2026-01-01T00:00:00.000Z' });
    const changes: string[] = [];
    s.on('change', (v) => changes.push(v.name));
    expect(s.completeAction({ tx, status: 'applied', result, receipt })).toBe(true);
    expect(changes).toEqual(['receipt']);
    const view = s.view();
    expect(view).toMatchObject({ name: 'receipt', status: 'applied', kind: 'purchase', txId: tx.id, member: { balances }, receipt: { txId: tx.id }, result: { status: 'applied', outcome: { pointsEarned: 10, cardUid: '******C3D4' } } });
    expect(JSON.stringify(view)).not.toContain(CARD);
    detach();
  });

  it('goes back to the member when an action is aborted, and completes nothing without a member', async () => {
    answer = async () => ({ ok: true, member: makeMember(CARD) });
    const s = make();
    await s.handleTap({ uid: CARD });
    s.beginAction('top_up');
    s.abortAction();
    expect(s.view().name).toBe('member');
    s.reset();
    const tx = outbox.append({ kind: 'top_up', cardUid: CARD, amountCents: 5000, tender: 'cash', staffCardUid: '5AFF0001' });
    const receipt = buildReceipt({ tx, status: 'queued', context: { header: [], footer: [], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }, at: '2026-01-01T00:00:00.000Z' });
    expect(s.completeAction({ tx, status: 'queued', result: null, receipt })).toBe(false);
    expect(s.view().name).toBe('idle');
  });

  it('goes from a result back to the member with the new balances, but not once the card was reported lost', async () => {
    answer = async () => ({ ok: true, member: makeMember(CARD) });
    const s = make();
    await s.handleTap({ uid: CARD });
    expect(s.backToMember()).toBe(false);
    const context = { header: [], footer: [], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58 as const, language: 'en' as const };
    s.beginAction('purchase');
    const tx = outbox.append({ kind: 'purchase', cardUid: CARD, lines: [{ lineNo: 1, sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 300 }], payments: [{ method: 'stored_value', amountCents: 300 }] });
    const balances = { storedValueCents: 700, bonusValueCents: 0, points: 3 };
    const result = { id: tx.id, seq: tx.seq, status: 'applied' as const, outcome: { kind: 'purchase', memberId: 'M', cardUid: CARD, tier: 'standard', balances, pointsEarned: 3, pointsSpent: 0, valueDeltaCents: -300, trace: [] } };
    s.completeAction({ tx, status: 'applied', result, receipt: buildReceipt({ tx, status: 'applied', result, context, at: '2026-01-01T00:00:00.000Z' }) });
    expect(s.backToMember()).toBe(true);
    expect(s.view()).toMatchObject({ name: 'member', member: { balances } });
    s.beginAction('card_report_loss');
    const loss = outbox.append({ kind: 'card_report_loss', cardUid: CARD });
    const lossResult = { id: loss.id, seq: loss.seq, status: 'applied' as const, outcome: { ...result.outcome, kind: 'card_report_loss', pointsEarned: 0, valueDeltaCents: 0 } };
    s.completeAction({ tx: loss, status: 'applied', result: lossResult, receipt: buildReceipt({ tx: loss, status: 'applied', result: lossResult, context, at: '2026-01-01T00:00:00.000Z' }) });
    expect(s.backToMember()).toBe(false);
    expect(s.view().name).toBe('idle');
  });

  it('holds an unknown card for registration, shows a notice on the form, then the new member with a welcome', async () => {
    answer = async () => ({ ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' });
    const s = make();
    await s.handleTap({ uid: CARD });
    expect(s.beginRegistration()).toBe(true);
    expect(s.view()).toMatchObject({ name: 'register', notice: null, card: '******C3D4' });
    expect(s.registrationCardUid()).toBe(CARD);
    s.showRegistrationNotice('FFFF0000', { txId: 'T', status: 'rejected', code: 'X', message: null });
    expect(s.view()).toMatchObject({ name: 'register', notice: null });
    s.showRegistrationNotice(CARD, { txId: 'T1', status: 'rejected', code: 'MEMBER_PHONE_TAKEN', message: 'phone taken' });
    expect(s.view()).toMatchObject({ name: 'register', notice: { status: 'rejected', code: 'MEMBER_PHONE_TAKEN' } });
    answer = async () => ({ ok: true, member: makeMember(CARD) });
    const seen: string[] = [];
    s.on('change', (v) => seen.push(v.name));
    await s.showRegistered(CARD, { name: 'Ada Member', pointsEarned: 50 });
    expect(seen).toEqual(['card', 'member']);
    expect(s.view()).toMatchObject({ name: 'member', source: 'hub', welcome: { name: 'Ada Member', pointsEarned: 50 } });
    // Only once: the member screen shown again after an action carries no welcome.
    s.beginAction('purchase');
    s.abortAction();
    expect(s.view()).not.toHaveProperty('welcome');
  });

  it('does not offer registration for a card the hub was not asked about', async () => {
    answer = async () => null;
    const s = make();
    await s.handleTap({ uid: CARD });
    expect(s.view()).toMatchObject({ name: 'error', code: 'CARD_CHECK_UNAVAILABLE', offline: true });
    expect(s.beginRegistration()).toBe(false);
    await s.showRegistered(CARD, { name: 'X', pointsEarned: 0 });
    expect(s.view().name).toBe('error');
  });

  it('starts the idle time again on activity on a member, registration or card-error screen, never on a receipt or idle', async () => {
    answer = async () => ({ ok: true, member: makeMember(CARD) });
    let clock = 1_000_000;
    session = createKioskSession({ lookup: (req) => answer(req), cache, logger: createCaptureLogger().logger, timeouts: { memberMs: 60_000, receiptMs: 15_000 }, now: () => clock });
    const s = session;
    expect(s.extendOnActivity()).toBe(false);
    expect(s.view().expiresAt).toBeNull();
    await s.handleTap({ uid: CARD });
    const shown = s.view();
    expect(shown.expiresAt).toBe(new Date(1_000_000 + 60_000).toISOString());
    const pushed: string[] = [];
    s.on('change', (v) => pushed.push(`${v.name}@${v.expiresAt}`));
    clock += 40_000;
    expect(s.extendOnActivity()).toBe(true);
    // The same state (version kept), pushed with the later expiry.
    expect(s.view()).toMatchObject({ name: 'member', version: shown.version, expiresAt: new Date(1_040_000 + 60_000).toISOString() });
    expect(pushed).toEqual([`member@${new Date(1_100_000).toISOString()}`]);

    s.beginAction('purchase');
    expect(s.extendOnActivity()).toBe(false);
    const tx = outbox.append({ kind: 'purchase', cardUid: CARD, lines: [{ lineNo: 1, sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 300 }], payments: [{ method: 'stored_value', amountCents: 300 }] });
    const receipt = buildReceipt({ tx, status: 'queued', context: { header: [], footer: [], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }, at: '2026-01-01T00:00:00.000Z' });
    s.completeAction({ tx, status: 'queued', result: null, receipt });
    const onReceipt = s.view();
    expect(onReceipt).toMatchObject({ name: 'receipt', print: { status: 'printing', code: null } });
    clock += 10_000;
    // A finished receipt goes at its own time, however long someone keeps touching the screen.
    expect(s.extendOnActivity()).toBe(false);
    expect(s.view().expiresAt).toBe(onReceipt.expiresAt);
    // What the paper did shows on the same receipt, timeout kept; a receipt no longer on screen is left alone.
    expect(s.showReceiptPrint('another-tx', { status: 'printed', code: null })).toBe(false);
    expect(s.showReceiptPrint(tx.id, { status: 'not_printed', code: 'PRINTER_PAPER_OUT' })).toBe(true);
    expect(s.view()).toMatchObject({ name: 'receipt', version: onReceipt.version, expiresAt: onReceipt.expiresAt, print: { status: 'not_printed', code: 'PRINTER_PAPER_OUT' } });

    answer = async () => ({ ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' });
    await s.handleTap({ uid: 'DEADBEEF' });
    clock += 5_000;
    expect(s.extendOnActivity()).toBe(true);
    expect(s.beginRegistration()).toBe(true);
    clock += 5_000;
    expect(s.extendOnActivity()).toBe(true);
    expect(s.view()).toMatchObject({ name: 'register', expiresAt: new Date(clock + 180_000).toISOString() });
  });

  it('ignores taps while a look-up is running', async () => {
    let calls = 0;
    let release: (r: LookupResponse) => void = () => undefined;
    answer = () => {
      calls += 1;
      return new Promise((resolve) => (release = resolve));
    };
    const s = make();
    const first = s.handleTap({ uid: CARD });
    await s.handleTap({ uid: 'AAAA0000' });
    release({ ok: true, member: makeMember(CARD) });
    await first;
    expect(calls).toBe(1);
    expect(s.currentCardUid()).toBe(CARD);
  });
});
