/**
 * One simulated kiosk of the fleet benchmarks: the kiosk's outbox and hub link (real code), selling cash purchases
 * to the bench's members. It times each sale from the outbox write to the result that closed the entry, and samples
 * the outbox depth at every write and every result (the figure checks it never passes the in-flight window).
 */
import type { HubLink } from '../../../device/link/hub-link.ts';
import type { Outbox, TxBodyInput } from '../../../device/outbox/sqlite-outbox.ts';

export interface SimulatedKiosk {
  readonly deviceId: string;
  /** Confirmation times, ms. */
  readonly samples: number[];
  /** Date.now() of each confirmation. */
  readonly confirmedAt: number[];
  readonly refusals: Record<string, number>;
  readonly sold: number;
  readonly applied: number;
  readonly maxDepth: number;
  /** Appends one purchase and sends it. */
  sell(): void;
  /** Drops the confirmation times measured so far (answering them), and does not time the sales still open. */
  forgetSamples(): number[];
  /** Sells `outstanding` now and one more after each result while `more()` says so. */
  keepOutstanding(outstanding: number, more: () => boolean): void;
  depth(): number;
  /** The link is connected and the hub online. */
  isUp(): boolean;
  close(): Promise<void>;
}

export function createSimulatedKiosk(options: { deviceId: string; outbox: Outbox; link: HubLink; cards: readonly string[]; window: number }): SimulatedKiosk {
  const { outbox, link, cards } = options;
  /** Sales sent and not yet closed, and when each was written (absent: not timed). */
  const open = new Set<string>();
  const writtenAt = new Map<string, number>();
  let onClosed: (() => void) | null = null;
  const kiosk = {
    deviceId: options.deviceId,
    samples: [] as number[],
    confirmedAt: [] as number[],
    refusals: {} as Record<string, number>,
    sold: 0,
    applied: 0,
    maxDepth: 0,
    sell(): void {
      const n = kiosk.sold;
      const price = 1_250 + ((n * 37) % 500);
      const body: TxBodyInput = {
        kind: 'purchase',
        cardUid: cards[(n * 7919 + hash(options.deviceId)) % cards.length]!,
        lines: [{ lineNo: 1, sku: `SKU-${n % 97}`, category: 'grocery', qty: 1, unitPriceCents: price }],
        payments: [{ method: 'cash', amountCents: price }],
      };
      const tx = outbox.append(body);
      open.add(tx.id);
      writtenAt.set(tx.id, performance.now());
      kiosk.sold += 1;
      kiosk.maxDepth = Math.max(kiosk.maxDepth, outbox.depth());
      link.kick();
    },
    forgetSamples(): number[] {
      const measured = kiosk.samples.splice(0);
      kiosk.confirmedAt.splice(0);
      writtenAt.clear();
      return measured;
    },
    keepOutstanding(outstanding: number, more: () => boolean): void {
      onClosed = () => {
        if (more()) kiosk.sell();
      };
      for (let i = 0; i < outstanding; i += 1) kiosk.sell();
    },
    depth: () => outbox.depth(),
    isUp: () => link.isConnected(),
    async close(): Promise<void> {
      await link.stop();
      outbox.close();
    },
  };
  // 'result' fires once per closed entry, after the outbox recorded it.
  link.on('result', (result) => {
    if (!result.id || !open.delete(result.id)) return;
    const at = writtenAt.get(result.id);
    writtenAt.delete(result.id);
    if (at !== undefined) {
      kiosk.samples.push(performance.now() - at);
      kiosk.confirmedAt.push(Date.now());
    }
    if (result.status === 'applied' || result.status === 'exists') kiosk.applied += 1;
    else {
      const code = result.code ?? result.status;
      kiosk.refusals[code] = (kiosk.refusals[code] ?? 0) + 1;
    }
    kiosk.maxDepth = Math.max(kiosk.maxDepth, outbox.depth());
    onClosed?.();
  });
  return kiosk;
}

/** A small stable number from the device id, so kiosks start on different members. */
function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
