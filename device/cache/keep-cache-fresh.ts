/**
 * A queued transaction may be applied minutes after the member left. When its result arrives, the balances
 * the hub reported replace the cached ones, so the next offline tap shows the newest numbers this kiosk knows.
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { MemberCache } from './member-cache.ts';

export function keepCacheFresh(link: Pick<HubLink, 'on' | 'off'>, cache: Pick<MemberCache, 'updateBalances'>, now: () => number = Date.now): () => void {
  const listener = (result: TxResult) => {
    const outcome = result.outcome;
    if (outcome) cache.updateBalances(outcome.cardUid, { balances: outcome.balances, tier: outcome.tier, asOf: new Date(now()).toISOString() });
  };
  link.on('result', listener);
  return () => link.off('result', listener);
}
