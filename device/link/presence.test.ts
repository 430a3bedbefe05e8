/**
 * The kiosk's retained state report (presence.ts): asked for at every closed sale, it goes to the broker only when
 * it says something new on this connection — or when a new connection starts, or after the refresh time. A fleet's
 * selling kiosks otherwise sent the hub the same record at every sale. On the kiosk's real outbox (in-memory SQLite);
 * the publisher is a recording function (the MQTT client behind it is the hub link's, tested in hub-link.test.ts).
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { openOutbox, type Outbox, type TxBodyInput } from '../outbox/sqlite-outbox.ts';
import { createPresence, type Presence } from './presence.ts';

const SALE: TxBodyInput = { kind: 'purchase', cardUid: '04A1B2C3D4', lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'cash', amountCents: 500 }] };

describe('the kiosk state report', () => {
  let outbox: Outbox;
  let presence: Presence;
  let sent: { topic: string; report: Record<string, unknown> }[];

  beforeEach(() => {
    vi.useFakeTimers();
    outbox = openOutbox({ path: ':memory:', deviceId: 'kiosk-1', storeId: 'store-1', logger: pino({ level: 'silent' }) });
    sent = [];
    presence = createPresence({
      deviceId: 'kiosk-1',
      topics: createTopics(),
      outbox,
      logger: pino({ level: 'silent' }),
      // Availability ('online') is not a report: only the state topic is recorded.
      publisher: () => (topic, payload) => {
        if (topic.endsWith('/state')) sent.push({ topic, report: JSON.parse(payload) as Record<string, unknown> });
      },
    });
    presence.announceOnline();
    sent = [];
  });
  afterEach(() => {
    presence.cancel();
    outbox.close();
    vi.useRealTimers();
  });

  /** Asks for a report and lets the throttle's timer run. */
  function report(): void {
    presence.publishState();
    vi.advanceTimersByTime(1_100);
  }

  it('is sent when it changes, and not again while it says the same on one connection', () => {
    report();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: createTopics().state('kiosk-1'), report: { deviceId: 'kiosk-1', outboxDepth: 0 } });
    expect(typeof sent[0]!.report['at']).toBe('string');
    // Sales closed one after another: depth 0 each time the report is asked for.
    report();
    report();
    expect(sent).toHaveLength(1);
    const tx = outbox.append(SALE);
    report();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.report).toMatchObject({ outboxDepth: 1, oldestPending: { epoch: tx.epoch, seq: tx.seq } });
  });

  it('is sent again, unchanged, on a new connection and after the refresh time', () => {
    report();
    report();
    expect(sent).toHaveLength(1);
    presence.announceOnline();
    report();
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(5 * 60_000);
    report();
    expect(sent).toHaveLength(3);
    expect(sent[2]!.report['outboxDepth']).toBe(0);
  });
});
