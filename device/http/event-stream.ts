/**
 * GET /api/events: what the screen is told (device/app/kiosk-events.ts), as server-sent events. Each event is
 * `event: <type>` and one line of JSON; the first ones are the current session and link state, so a page that
 * (re)connects loads the current view from the stream itself, with no second request to race it.
 *
 * The browser's EventSource reconnects by itself when the stream drops (the kiosk restarting, a network blip);
 * `retry` asks it to try again after a second. A comment line every 15 s keeps the connection from looking
 * idle. A client that stops reading is dropped once a megabyte waits for it: it reconnects and starts from
 * the current state. Streams are ended before the server closes, so stopping the kiosk never waits for them.
 */
import type { FastifyInstance } from 'fastify';
import type { KioskEvent, KioskEvents } from '../app/kiosk-events.ts';

/** Where the screen listens. */
export const EVENTS_PATH = '/api/events';

export interface EventStreamOptions {
  /** Comment line interval; default 15 000 ms. */
  heartbeatMs?: number;
  /** How long the browser waits before reconnecting; default 1000 ms. */
  retryMs?: number;
  /** A client with more than this waiting unread is dropped; default 1 MiB. */
  maxBufferedBytes?: number;
}

/** One event in the text/event-stream format. JSON has no raw line breaks, so the data is one `data:` line. */
export function formatServerSentEvent(event: KioskEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export function registerEventStream(app: FastifyInstance, events: Pick<KioskEvents, 'subscribe'>, options: EventStreamOptions = {}): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 1000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const open = new Set<() => void>();

  app.get(EVENTS_PATH, (_request, reply) => {
    // The stream is written by hand and never "sent": fastify leaves the response alone from here.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let closed = false;
    let unsubscribe: () => void = () => undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      open.delete(close);
      if (!res.writableEnded) res.end();
    };
    const write = (text: string) => {
      if (closed) return;
      if (res.writableLength > maxBufferedBytes) {
        res.destroy();
        close();
        return;
      }
      res.write(text);
    };
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    open.add(close);
    res.on('close', close);
    write(`retry: ${retryMs}\n\n`);
    unsubscribe = events.subscribe((event) => write(formatServerSentEvent(event)));
    if (closed) unsubscribe();
  });

  app.addHook('preClose', (done) => {
    for (const close of [...open]) close();
    done();
  });
}
