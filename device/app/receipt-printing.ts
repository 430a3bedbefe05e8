/**
 * Receipts on paper, as the kiosk's policy has them: printed now or not at all (the receipt sink decides and
 * withdraws what it could not print in time: device/hardware/printer-sink.ts), never later for whoever stands at
 * the kiosk then. The transaction itself is unaffected: the ledger has it.
 *
 * So that a receipt not printed is not lost for good, the kiosk keeps the receipts of its own last transactions
 * (RECENT_RECEIPTS, in memory: a restart forgets them, the hub still has every transaction) and a signed-in staff
 * member may print one again on purpose, for themselves (reprint); it then says so on the paper.
 */
import type { Logger } from 'pino';
import type { ErrorCode } from '../../core/errors/codes.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { PrintOutcome, Receipt, ReceiptSink } from '../ports.ts';

/** How many of this kiosk's last receipts a staff member can reprint. */
export const RECENT_RECEIPTS = 50;

/** Printed on top of a reprint, so nobody takes it for a second purchase. */
const REPRINT_NOTICE: Record<Receipt['language'], string> = { zh: '重印 · 非新交易', en: 'REPRINT - NOT A NEW TRANSACTION' };

export interface ReceiptPrinting {
  /** Keeps the receipt of a transaction of this kiosk for a later reprint (the newest RECENT_RECEIPTS). */
  remember(receipt: Receipt, kind?: string): void;
  /** Prints now or not at all; never throws (a failing sink is PRINTER_ERROR). Logs a receipt not printed. */
  print(receipt: Receipt): Promise<PrintOutcome>;
  /** A remembered receipt printed again, marked as a reprint; RECEIPT_NOT_FOUND when it is not among the last ones. */
  reprint(txId: string, by: { staffId: string }): Promise<PrintOutcome>;
  /** The last receipts not printed, newest first: for technicians (recent errors). */
  notPrinted(): { code: ErrorCode; at: string; txId: string }[];
  /** The receipts a reprint can print, newest first (what a staff member picks from: time, masked card, kind). */
  recent(): RecentReceipt[];
}

/** One of the kiosk's remembered receipts as a staff member chooses it for a reprint: no full card, no balances. */
export interface RecentReceipt {
  txId: string;
  at: string;
  cardNumberMasked: string;
  memberName: string | null;
  /** The transaction's kind (purchase, top_up…), when the kiosk said it: the screen names it in its own language. */
  kind: string | null;
  /** Whether its last print came out (null: never sent to the printer yet). */
  printed: boolean | null;
}

export function createReceiptPrinting(deps: { sink: Pick<ReceiptSink, 'print'>; logger: Logger; now?: () => number }): ReceiptPrinting {
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  /** txId → receipt, oldest first (a Map keeps insertion order). */
  const recent = new Map<string, Receipt>();
  const failures: { code: ErrorCode; at: string; txId: string }[] = [];
  /** txId → whether its last print came out, and the transaction's kind (for the reprint list). */
  const printedOf = new Map<string, boolean>();
  const kindOf = new Map<string, string>();

  async function print(receipt: Receipt): Promise<PrintOutcome> {
    let outcome: PrintOutcome;
    try {
      outcome = await deps.sink.print(receipt);
    } catch (error) {
      // The sink's contract is never to throw; one that does still must not undo the transaction on screen.
      log.error({ code: 'RECEIPT_PRINT_FAILED' satisfies ErrorCode, txId: receipt.txId, err: error instanceof Error ? error.message : String(error) }, 'receipt not printed');
      outcome = { status: 'not_printed', code: 'PRINTER_ERROR' };
    }
    if (recent.has(receipt.txId)) printedOf.set(receipt.txId, outcome.status === 'printed');
    if (outcome.status === 'not_printed') {
      const code = outcome.code ?? 'PRINTER_ERROR';
      log.warn({ code, txId: receipt.txId }, 'receipt not printed: it will not print later (staff can reprint it)');
      failures.unshift({ code, at: new Date(now()).toISOString(), txId: receipt.txId });
      failures.length = Math.min(failures.length, RECENT_RECEIPTS);
    }
    return outcome;
  }

  return {
    remember(receipt, kind) {
      if (kind !== undefined) kindOf.set(receipt.txId, kind);
      recent.delete(receipt.txId);
      recent.set(receipt.txId, receipt);
      for (const txId of recent.keys()) {
        if (recent.size <= RECENT_RECEIPTS) break;
        recent.delete(txId);
        printedOf.delete(txId);
        kindOf.delete(txId);
      }
    },

    print,

    async reprint(txId, by) {
      const receipt = recent.get(txId);
      if (!receipt) throw new CodedError('RECEIPT_NOT_FOUND');
      const notice = [REPRINT_NOTICE[receipt.language], ...(receipt.notice ?? [])];
      const outcome = await print({ ...receipt, notice });
      log.info({ txId, staffId: by.staffId, print: outcome.status, ...(outcome.code ? { code: outcome.code } : {}) }, 'receipt reprinted for staff');
      return outcome;
    },

    notPrinted: () => failures.map((f) => ({ ...f })),

    recent: () =>
      [...recent.values()].reverse().map((receipt) => ({
        txId: receipt.txId,
        at: receipt.at,
        cardNumberMasked: receipt.cardNumberMasked,
        memberName: receipt.memberName ?? null,
        kind: kindOf.get(receipt.txId) ?? null,
        printed: printedOf.get(receipt.txId) ?? null,
      })),
  };
}
