/**
 * Starting a member action from a page: one request through kioskApi.postOnce with one Idempotency-Key per attempt
 * (a confirmation opened: `fresh()`), so a double tap or a retry of the same attempt makes one transaction, while
 * a second attempt (another visit, another draw entry) is a transaction of its own. Busy while it runs; the refusal made
 * before any transaction existed (HUB_REQUIRED, CODE_CHECK_DIGIT…) kept for the page to show in words. What the
 * action did arrives as the session (action → receipt), never from the reply.
 */
import { ref, type Ref } from 'vue';
import { kioskApi, newActionKey, ScreenError } from '../../kiosk/api.ts';
import type { TxReply } from '../../kiosk/contract.ts';

export interface Refusal {
  code: string;
  message?: string;
  /** What the refusal says in figures (an offline limit's `leftCents`…): the screen words it in its own language. */
  details?: Record<string, unknown> | undefined;
}

export interface MemberAction {
  busy: Ref<boolean>;
  refusal: Ref<Refusal | null>;
  /** A new attempt (a confirmation opened): the next run gets a key of its own; the last refusal is cleared. */
  fresh(): void;
  /** Sends it under the attempt's key; resolves with the reply, or null when refused before any transaction (see `refusal`). */
  run(path: string, body: Record<string, unknown>): Promise<TxReply | null>;
}

/** A refusal from whatever a request threw: the API's code, or KIOSK_UNREACHABLE. */
export function refusalOf(error: unknown): Refusal {
  return error instanceof ScreenError ? { code: error.code, message: error.message, details: error.details } : { code: 'KIOSK_UNREACHABLE' };
}

export function useMemberAction(): MemberAction {
  const busy = ref(false);
  const refusal = ref<Refusal | null>(null);
  let key = newActionKey();

  function fresh(): void {
    key = newActionKey();
    refusal.value = null;
  }

  async function run(path: string, body: Record<string, unknown>): Promise<TxReply | null> {
    if (busy.value) return null;
    busy.value = true;
    refusal.value = null;
    try {
      return await kioskApi.postOnce<TxReply>(path, key, body);
    } catch (error) {
      refusal.value = refusalOf(error);
      return null;
    } finally {
      busy.value = false;
    }
  }

  return { busy, refusal, fresh, run };
}
