/**
 * The cursor of a member's paged history (look-up `member.history`): the position of the last entry a page
 * showed, (its date, its transaction id), which the next page starts strictly below — keyset pagination on the
 * ledger's transactions_by_member index, so a page costs the same however far back it is, and a transaction
 * recorded between two pages neither repeats nor hides an entry.
 *
 * Opaque to the kiosk and the screen: base64url (unpadded) of `at|txId`. It names a position only, never a member: the hub
 * reads the page for the member of the card on the reader, whatever position a cursor names.
 */

export interface HistoryPosition {
  /** The entry's date as the ledger has it (transactions.created_at, ISO UTC). */
  at: string;
  txId: string;
}

/** What a cursor may look like on the wire (the look-up schema checks this much; decode checks the rest). */
export const HISTORY_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

const AT_PATTERN = /^\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})$/;
const TX_ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

export function encodeHistoryCursor(position: HistoryPosition): string {
  // btoa/atob rather than Buffer: this module is imported by the wire schemas, which the screen bundles too. Both
  // parts are ASCII (an ISO date, a ULID).
  return btoa(`${position.at}|${position.txId}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The position a cursor names; null when it is not one this hub made (the look-up answers HISTORY_CURSOR_INVALID). */
export function decodeHistoryCursor(cursor: string): HistoryPosition | null {
  if (!HISTORY_CURSOR_PATTERN.test(cursor)) return null;
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const [at, txId, ...rest] = text.split('|');
  if (at === undefined || txId === undefined || rest.length > 0) return null;
  if (!AT_PATTERN.test(at) || Number.isNaN(Date.parse(at)) || !TX_ID_PATTERN.test(txId)) return null;
  return { at, txId };
}
