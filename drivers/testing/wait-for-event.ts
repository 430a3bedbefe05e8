import type { EventEmitter } from 'node:events';

/** Resolves with the next `event` whose payload passes `accept`; rejects with a readable message on timeout. */
// The emitters under test declare their own event maps; any map will do for waiting on one name.
type AnyEmitter = Pick<EventEmitter, 'on' | 'off'>;

export function waitForEvent<T>(
  emitter: AnyEmitter,
  event: string,
  timeoutMs = 3_000,
  accept: (payload: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (payload: T): void => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}

/** Collects every payload of `event` until the returned stop() is called. */
export function collectEvents<T>(emitter: AnyEmitter, event: string): { items: T[]; stop: () => void } {
  const items: T[] = [];
  const listener = (payload: T): void => void items.push(payload);
  emitter.on(event, listener);
  return { items, stop: () => emitter.off(event, listener) };
}
