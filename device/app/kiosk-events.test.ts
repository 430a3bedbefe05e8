import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubLinkEvents } from '../link/hub-link.ts';
import type { SessionState, SessionView } from '../session/kiosk-session.ts';
import { createKioskEvents, type KioskEvent, type KioskEvents } from './kiosk-events.ts';

class FakeSession extends EventEmitter<{ change: [SessionView] }> {
  current: SessionState = { name: 'idle' };
  version = 0;
  view(): SessionView {
    return { name: this.current.name, card: null, version: this.version, expiresAt: null };
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

  function make(linkCheckMs = 60_000) {
    const session = new FakeSession();
    const link = new EventEmitter<HubLinkEvents>();
    const state = { connected: true, outboxDepth: 0 };
    const errors: unknown[] = [];
    events = createKioskEvents({ session, link, linkState: () => ({ ...state }), linkCheckMs, onListenerError: (e) => errors.push(e) });
    return { session, link, state, errors, events };
  }

  it('gives a subscriber the current session and link state first, then each session change', () => {
    const { session, events } = make();
    session.move({ name: 'card', cardUid: 'AAAA' });
    const got: KioskEvent[] = [];
    events.subscribe((e) => got.push(e));
    expect(got).toEqual([
      { type: 'session', data: { session: expect.objectContaining({ name: 'card', version: 1 }), receiptText: null } },
      { type: 'link', data: { connected: true, outboxDepth: 0 } },
    ]);
    session.move({ name: 'idle' });
    expect(got.at(-1)).toEqual({ type: 'session', data: { session: expect.objectContaining({ name: 'idle', version: 2 }), receiptText: null } });
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
});
