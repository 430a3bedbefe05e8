/**
 * Alerts: conditions an operator must hear about although nothing crashed. They are how a refusal that
 * nobody would otherwise notice gets told: kept in the kiosk's state report and `GET /api/state`, and in the
 * hub's `device_alerts` table and log. Codes are stable (operators filter on them); details are for people.
 */
import { z } from 'zod';

export const ALERT_CODES = {
  CLOCK_SKEW: "the kiosk's clock differs from the hub's by more than the tolerance",
  CLOCK_IMPLAUSIBLE_TX: "a transaction's corrected time was impossible; the hub dated it with its receive time",
  SEQ_EPOCH_MOVED: 'another sender took seqs of this kiosk: its pending transactions moved to a new epoch (same ids, new seqs)',
  TX_REFUSED_UNRECORDED: 'the hub refused a transaction without recording it: the entry stays queued and is retried with backoff',
  OFFLINE_SHORTFALL: "a sale the kiosk took offline was more than the member's balance when it reached the hub: the rest is owed on the member's shortfall account",
  TX_RULES_NOT_OF_SNAPSHOT: "a transaction named rules its kiosk's signed snapshot does not hold (or a snapshot the hub never signed for it): recomputed with the kiosk's own snapshot's rules",
  CONFIG_REFUSED: 'the kiosk refused a configuration set (bad signature, older, expired, wrong scope or incomplete) and keeps the one it had',
  NODE_RED_UNRESPONSIVE: 'a flow blocked Node-RED: it was killed and started again (the kiosk or hub went on serving)',
  NODE_RED_CRASHED: 'Node-RED ended unexpectedly and was started again',
  NODE_RED_SAFE_MODE: 'Node-RED kept failing: it runs in safe mode (flows stopped, editor up) until a technician mends the flows',
  NODE_RED_SECRET_MISSING: 'Node-RED is switched on but has no credential secret: it stays off',
  TX_CLOSED_BY_REFUSAL: 'the hub recorded a refusal of a transaction that could never apply (too large, invalid, id conflict): the entry is closed',
  TX_REPLAYED_TO_HUB: "the hub had lost transactions it had confirmed (its ledger restored from a backup): the kiosk sent its copies again and the hub applied them once",
} as const;
export type AlertCode = keyof typeof ALERT_CODES;

export const alertSchema = z.object({
  code: z.enum(Object.keys(ALERT_CODES) as [AlertCode, ...AlertCode[]]),
  at: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type Alert = z.infer<typeof alertSchema>;
