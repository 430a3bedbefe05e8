/**
 * The kiosk's own listeners to the transactions it makes (device/automation: a flow's `transaction done`): each
 * new transaction's outcome (applied, refused or queued; never a replay), with the member on screen when it was
 * for their card. Its own file because the guarantee matters: no listener can fail the use case that made the
 * transaction (a throwing one is logged).
 */
import type { Logger } from 'pino';
import type { KioskSession } from '../session/kiosk-session.ts';
import type { TxOutcome } from './submit-transaction.ts';

/** A transaction's outcome as the kiosk's own listeners hear it (device/automation: a flow's `transaction done`). */
export interface SettledTransaction {
  outcome: TxOutcome;
  /** The member on screen, when the transaction was for their card; null otherwise. */
  memberId: string | null;
}

export interface SettledListeners {
  /** Tells the kiosk's own listeners; none of them can fail the use case that made the transaction. */
  settled(outcome: TxOutcome): void;
  /** Adds a listener; the function returned removes it. */
  listen(listener: (settled: SettledTransaction) => void): () => void;
  clear(): void;
}

export function createSettledListeners(deps: { session: Pick<KioskSession, 'shownMember'>; logger: Logger }): SettledListeners {
  const listeners = new Set<(settled: SettledTransaction) => void>();
  return {
    settled(outcome) {
      if (listeners.size === 0) return;
      const shown = deps.session.shownMember();
      const memberId = shown && 'cardUid' in outcome.tx && shown.cardUid === outcome.tx.cardUid ? shown.member.memberId : null;
      for (const listener of [...listeners]) {
        try {
          listener({ outcome, memberId });
        } catch (error) {
          deps.logger.error({ err: error, txId: outcome.tx.id }, 'a transaction listener failed; the transaction is unaffected');
        }
      }
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear: () => listeners.clear(),
  };
}
