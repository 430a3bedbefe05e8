/**
 * Request/response look-ups over MQTT: a request on `devices/{id}/request/{rid}`, the hub's answer on
 * `devices/{id}/response/{rid}`. A look-up answers null at once when the hub is not reachable (so the screen
 * falls back to the member cache without a wait) and null on timeout; a malformed answer is logged and ignored.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { MAX_LOOKUP_REQUEST_BYTES } from '../../core/wire/limits.ts';
import { lookupRequestSchema, lookupResponseSchema, type LookupRequest, type LookupResponse } from '../../core/wire/lookup.ts';
import type { Topics } from '../../core/wire/topics.ts';
import { LINK_LOG_CODES } from './link-log-codes.ts';

export interface LookupsOptions {
  deviceId: string;
  topics: Topics;
  logger: Logger;
  /** Publishes a request (QoS 1); null when there is no connection to publish on. */
  publisher: () => ((topic: string, payload: string) => void) | null;
  /** Connected and the hub has not announced itself offline. */
  reachable: () => boolean;
}

export interface Lookups {
  lookup(req: LookupRequest, timeoutMs: number): Promise<LookupResponse | null>;
  /** A message on one of our response topics. */
  onResponse(requestId: string, payload: Buffer): void;
  /** The connection is gone: every pending look-up answers null now. */
  failAll(): void;
}

interface PendingLookup {
  resolve: (response: LookupResponse | null) => void;
  timer: NodeJS.Timeout;
}

export function createLookups(opts: LookupsOptions): Lookups {
  const { deviceId, topics, logger: log } = opts;
  const pending = new Map<string, PendingLookup>();

  return {
    lookup(req, timeoutMs) {
      const parsed = lookupRequestSchema.safeParse(req);
      if (!parsed.success) return Promise.reject(new CodedError('REQUEST_MALFORMED', parsed.error.issues[0]?.message));
      // Offline hub: answer at once, so the screen falls back to the member cache without a wait.
      const publish = opts.reachable() ? opts.publisher() : null;
      if (!publish) return Promise.resolve(null);
      const text = JSON.stringify(parsed.data);
      // Checked here, where the caller can be told: the hub would only refuse it after a round trip.
      if (Buffer.byteLength(text) > MAX_LOOKUP_REQUEST_BYTES) return Promise.reject(new CodedError('REQUEST_MALFORMED', `look-up request over ${MAX_LOOKUP_REQUEST_BYTES} bytes`));
      const requestId = randomBytes(8).toString('hex');
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          resolve(null);
        }, timeoutMs);
        pending.set(requestId, { resolve, timer });
        publish(topics.request(deviceId, requestId), text);
      });
    },

    onResponse(requestId, payload) {
      const waiting = pending.get(requestId);
      if (!waiting) {
        log.debug({ requestId }, 'response for an unknown or expired look-up');
        return;
      }
      const parsed = lookupResponseSchema.safeParse(parseJson(payload));
      if (!parsed.success) {
        log.warn({ code: LINK_LOG_CODES.responseMalformed, requestId }, 'ignored a malformed look-up response');
        return;
      }
      pending.delete(requestId);
      clearTimeout(waiting.timer);
      waiting.resolve(parsed.data);
    },

    failAll() {
      for (const [requestId, waiting] of pending) {
        clearTimeout(waiting.timer);
        pending.delete(requestId);
        waiting.resolve(null);
      }
    },
  };
}

export function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}
