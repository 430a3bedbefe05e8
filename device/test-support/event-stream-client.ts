/**
 * Reads a kiosk's GET /api/events in tests: every server-sent event in order, and a way to wait for the next
 * one that matches. Over real HTTP (inject cannot stream).
 */
export interface ReceivedEvent {
  type: string;
  data: unknown;
}

export interface EventStreamClient {
  readonly contentType: string | null;
  readonly events: ReceivedEvent[];
  /** The first event from index `from` on that matches; waits for it up to timeoutMs. */
  waitFor(match: (event: ReceivedEvent) => boolean, what: string, options?: { from?: number; timeoutMs?: number }): Promise<ReceivedEvent>;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export async function openEventStream(url: string): Promise<EventStreamClient> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  if (!response.body) throw new Error(`no body from ${url}`);
  const events: ReceivedEvent[] = [];
  const waiters = new Set<() => void>();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          const data = fields.get('data');
          if (data === undefined) continue;
          events.push({ type: fields.get('event') ?? 'message', data: JSON.parse(data) as unknown });
          for (const wake of [...waiters]) wake();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    contentType: response.headers.get('content-type'),
    events,
    ended,
    waitFor(match, what, options = {}) {
      const from = options.from ?? 0;
      const timeoutMs = options.timeoutMs ?? 5000;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no event ${what} within ${timeoutMs} ms; got ${JSON.stringify(events.slice(from).map((e) => e.type))}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close() {
      controller.abort();
    },
  };
}
