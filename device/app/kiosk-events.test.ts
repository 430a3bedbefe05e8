import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import type { HubLinkEvents } from '../link/hub-link.ts';
import type { SessionState, SessionView } from '../session/kiosk-session.ts';
import type { HardwareState } from '../hardware/hardware-state.ts';
import { createKioskEvents, type KioskEvent, type KioskEvents } from './kiosk-events.ts';

class FakeSession extends EventEmitter<{ change: [SessionView] }> {
  current: SessionState = { name: 'idle' };
  version = 0;
  view(): SessionView {
    // The fake's states carry nothing but their name; the events only pass the view on.
    return { name: this.current.name, card: null, version: this.version, expiresAt: null } as SessionView;
  }
  state(): SessionState {
    return this.current;
  }
  move(next: SessionState): void {
    this.current = next;
    this.version += 1;
    this.emit('change', this.view());
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('kiosk events', () => {
  let events: KioskEvents | null = null;
  afterEach(() => events?.stop());

  function make(linkCheckMs = 60_000, now?: () => number) {
    const session = new FakeSession();
    const link = new EventEmitter<HubLinkEvents>();
    const state = { connected: true, outboxDepth: 0 };
    const errors: unknown[] = [];
    events = createKioskEvents({ session, link, linkState: () => ({ ...state }), linkCheckMs, onListenerError: (e) => errors.push(e), ...(now ? { now } : {}) });
    return { session, link, state, errors, events };
  }

  it('gives a subscriber the current session and link state first, then each session change', () => {
    const { session, events } = make();
    session.move({ name: 'card', cardUid: 'AAAA' });
    const got: KioskEvent[] = [];
    events.subscribe((e) => got.push(e));
    expect(got).toEqual([
      { type: 'session', data: { session: expect.objectContaining({ name: 'card', version: 1 }), receiptText: null, staff: null } },
      { type: 'link', data: { connected: true, outboxDepth: 0 } },
    ]);
    session.move({ name: 'idle' });
    expect(got.at(-1)).toEqual({ type: 'session', data: { session: expect.objectContaining({ name: 'idle', version: 2 }), receiptText: null, staff: null } });
  });

  it('pushes the link state once per burst of link events, and only when it changed', async () => {
    const { link, state, events } = make();
    const got: KioskEvent[] = [];
    events.subscribe((e) => got.push(e));
    got.length = 0;
    link.emit('connected');
    await settle();
    expect(got).toEqual([]);
    state.outboxDepth = 3;
    events.linkMayHaveChanged();
    state.outboxDepth = 0;
    state.connected = false;
    link.emit('result', { id: 'X', seq: 1, status: 'applied' });
    link.emit('disconnected');
    await settle();
    expect(got).toEqual([{ type: 'link', data: { connected: false, outboxDepth: 0 } }]);
    link.emit('result', { id: 'Y', seq: 2, status: 'applied' });
    await settle();
    expect(got).toHaveLength(1);
  });

  it('notices link changes that come without an event, while anyone listens', async () => {
    const { state, events } = make(20);
    const got: KioskEvent[] = [];
    const unsubscribe = events.subscribe((e) => got.push(e));
    state.connected = false;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got.filter((e) => e.type === 'link').at(-1)).toEqual({ type: 'link', data: { connected: false, outboxDepth: 0 } });
    unsubscribe();
    expect(events.listeners()).toBe(0);
  });

  it('pushes the hardware state first on subscribe, then on a driver\'s health event only when it changed', async () => {
    const session = new FakeSession();
    const link = new EventEmitter<HubLinkEvents>();
    const reader = new EventEmitter<{ health: [] }>();
    const printer = new EventEmitter<{ health: [] }>();
    let hardware: HardwareState = { reader: { status: 'ready', code: null }, printer: { status: 'ready', code: null } };
    events = createKioskEvents({ session, link, linkState: () => ({ connected: true, outboxDepth: 0 }), linkCheckMs: 60_000, hardware: { state: () => hardware, sources: [reader, printer] } });
    const got: KioskEvent[] = [];
    events.subscribe((e) => got.push(e));
    expect(got.map((e) => e.type)).toEqual(['session', 'link', 'hardware']);
    expect(got[2]).toEqual({ type: 'hardware', data: hardware });
    got.length = 0;
    reader.emit('health');
    await settle();
    expect(got).toEqual([]);
    hardware = { ...hardware, reader: { status: 'missing', code: 'READER_MISSING' } };
    reader.emit('health');
    printer.emit('health');
    await settle();
    expect(got).toEqual([{ type: 'hardware', data: { reader: { status: 'missing', code: 'READER_MISSING' }, printer: { status: 'ready', code: null } } }]);
    hardware = { ...hardware, printer: { status: 'paper_out', code: 'PRINTER_PAPER_OUT' } };
    printer.emit('health');
    await settle();
    expect(got.at(-1)).toEqual({ type: 'hardware', data: { reader: { status: 'missing', code: 'READER_MISSING' }, printer: { status: 'paper_out', code: 'PRINTER_PAPER_OUT' } } });
    events.stop();
    expect(reader.listenerCount('health') + printer.listenerCount('health')).toBe(0);
  });

  it('drops a listener that throws and keeps serving the others; stop() ends everything', () => {
    const { session, errors, events } = make();
    const good: KioskEvent[] = [];
    let calls = 0;
    events.subscribe((e) => good.push(e));
    events.subscribe(() => {
      calls += 1;
      if (calls > 2) throw new Error('stream closed');
    });
    session.move({ name: 'card', cardUid: 'AAAA' });
    session.move({ name: 'idle' });
    expect(errors).toHaveLength(1);
    expect(events.listeners()).toBe(1);
    expect(good.filter((e) => e.type === 'session')).toHaveLength(3);
    events.stop();
    session.move({ name: 'card', cardUid: 'BBBB' });
    expect(good.filter((e) => e.type === 'session')).toHaveLength(3);
    expect(events.subscribe(() => undefined)).toBeTypeOf('function');
    expect(events.listeners()).toBe(0);
    expect(session.listenerCount('change')).toBe(0);
  });

  it('pushes the session again with the staff member on a sign-in, a sign-out and the staff session\'s expiry', async () => {
    let clock = Date.parse('2030-01-01T00:00:00.000Z');
    const { session, events } = make(60_000, () => clock);
    const manager: StaffSessionView = {
      sessionId: 'sess-1', staffId: 'staff-3', name: 'Mei Nager', role: 'store_manager', storeIds: ['store-1'],
      expiresAt: new Date(clock + 60).toISOString(), mayDo: ['top_up', 'card_freeze'],
    };
    const got: KioskEvent[] = [];
    events.subscribe((e) => got.push(e));
    const sessions = () => got.flatMap((e) => (e.type === 'session' ? [e.data] : []));
    expect(sessions()).toEqual([expect.objectContaining({ staff: null })]);

    // Signed in: pushed with the session unchanged (same version), to a listener already there and to a new one.
    events.staffChanged(manager);
    expect(sessions().at(-1)).toEqual({ session: expect.objectContaining({ name: 'idle', version: 0 }), receiptText: null, staff: manager });
    const later: KioskEvent[] = [];
    events.subscribe((e) => later.push(e));
    expect(later[0]).toMatchObject({ type: 'session', data: { staff: manager } });
    // Every later session change carries it too.
    session.move({ name: 'card', cardUid: 'AAAA' });
    expect(sessions().at(-1)).toMatchObject({ session: { name: 'card' }, staff: manager });

    // Signed out: pushed as null.
    events.staffChanged(null);
    expect(sessions().at(-1)).toMatchObject({ staff: null });

    // Signed in again, then the session expires: pushed as null at its expiry, with no sign-out.
    events.staffChanged(manager);
    const before = got.length;
    clock += 60;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(got.slice(before)).toEqual([{ type: 'session', data: expect.objectContaining({ staff: null }) }]);
    expect(later.at(-1)).toMatchObject({ type: 'session', data: { staff: null } });

    // An already expired one is never shown.
    events.staffChanged({ ...manager, expiresAt: new Date(clock - 1).toISOString() });
    expect(sessions().at(-1)).toMatchObject({ staff: null });
    events.stop();
    events.staffChanged(manager);
    expect(sessions().at(-1)).toMatchObject({ staff: null });
  });
});
