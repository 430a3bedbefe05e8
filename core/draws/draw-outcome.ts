/**
 * Points draws (积分抽奖): a member spends a draw's cost in points for one entry; the hub decides the entry's
 * instant prize, and when the draw closes, a second-chance draw picks winners among all its entries (the seeds'
 * 即刮即中 and 自动二次抽奖). Every outcome is a function of a secret seed and the entry's transaction id:
 *
 * - **Commitment.** HQ's hub makes a 32-byte seed when the draw is created and publishes SHA-256(seed) with the
 *   definition before the draw opens; the seed itself is revealed when the draw closes. Nobody — a kiosk choosing
 *   transaction ids, HQ choosing when to open — can steer an outcome without the seed, and the hub cannot change
 *   the seed afterwards without the revealed one failing its commitment.
 * - **Ticket.** HMAC-SHA256(key = seed, message = the transaction id in ASCII); its first 8 bytes, big-endian,
 *   are the ticket t (0 ≤ t < 2⁶⁴).
 * - **Instant prize.** total = the no-prize weight + the weights of all instant prizes (in stock or not);
 *   pick = t mod total; walking the prizes in their defined order, the prize whose weight range holds `pick`
 *   wins. A pick in the no-prize range wins nothing, and so does a pick landing on a prize with no stock left:
 *   **an out-of-stock prize's weight falls to "no prize"**, so the other prizes keep exactly their odds and an
 *   entry never wins what is not there. (The bias of t mod total is below total / 2⁶⁴: under 2⁻³⁰ for any
 *   total the definition allows.)
 * - **Stock.** Each instant win takes one of the prize's stock inside the same ledger transaction that spends the
 *   points, so stock never goes below zero; outcomes therefore depend on the order entries were applied, which
 *   the hub records (entry number) and the audit replays.
 * - **Second chance.** For each second-chance prize in order and each of its `count` winners k = 0, 1, …: the
 *   entries not drawn yet, ordered by transaction id; index = (first 8 bytes of HMAC-SHA256(seed,
 *   "second-chance:" + prizeId + ":" + k)) mod their number. One ticket per entry, an entry wins at most once.
 *
 * `auditDraw` recomputes all of it from the revealed seed (memberkiosk draws verify).
 */
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';

export const DRAW_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const prizeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'prizeId is 1–32 letters, digits, - or _');
/** Weights are integers up to a billion each; with at most 50 prizes the total stays under 2³⁶. */
const weightSchema = z.number().int().min(0).max(1_000_000_000);

export const instantPrizeSchema = z
  .object({
    prizeId: prizeIdSchema,
    name: z.string().trim().min(1).max(64),
    /** gift: a prize to collect at the counter (奖品); points: credited to the member in the entry's transaction. */
    kind: z.enum(['gift', 'points']),
    /** For a points prize, how many. */
    points: z.number().int().positive().max(1_000_000_000).optional(),
    weight: weightSchema.refine((w) => w > 0, 'a prize weight is positive'),
    stock: z.number().int().nonnegative().max(10_000_000),
  })
  .refine((p) => (p.kind === 'points') === (p.points !== undefined), 'a points prize names its points; a gift names none');
export type InstantPrize = z.infer<typeof instantPrizeSchema>;

export const secondChancePrizeSchema = z.object({
  prizeId: prizeIdSchema,
  name: z.string().trim().min(1).max(64),
  /** How many entries win it. Second-chance prizes are gifts to collect. */
  count: z.number().int().positive().max(10_000),
});
export type SecondChancePrize = z.infer<typeof secondChancePrizeSchema>;

/** What HQ defines (the CLI's JSON file, the body of POST /api/draws). */
export const drawDefinitionSchema = z
  .object({
    drawId: z.string().regex(DRAW_ID_PATTERN, 'drawId is 1–64 letters, digits, - or _').optional(),
    name: z.string().trim().min(1).max(64),
    costPoints: z.number().int().positive().max(1_000_000_000),
    /** Entries are refused from this instant on (UTC ISO); the second-chance draw is made when HQ closes the draw. */
    closesAt: z.iso.datetime({ offset: false, message: 'closesAt is an ISO-8601 UTC time ending in Z' }),
    noPrizeWeight: weightSchema,
    prizes: z.array(instantPrizeSchema).min(1).max(50),
    secondChance: z.array(secondChancePrizeSchema).max(20).default([]),
  })
  .refine((d) => new Set([...d.prizes, ...d.secondChance].map((p) => p.prizeId)).size === d.prizes.length + d.secondChance.length, 'prize ids are unique within a draw');
export type DrawDefinition = z.output<typeof drawDefinitionSchema>;
export type DrawDefinitionInput = z.input<typeof drawDefinitionSchema>;

/** An instant prize as the outcome needs it: its weight and the stock left when the entry is applied. */
export interface PrizeInPlay {
  prizeId: string;
  weight: number;
  stockLeft: number;
}

export interface InstantOutcome {
  /** The ticket, decimal (a 64-bit integer does not fit a JSON number). */
  ticket: string;
  pick: number;
  total: number;
  /** The prize won; null: none. */
  prizeId: string | null;
  /** The prize the pick landed on when it had no stock left (and so nothing was won). */
  outOfStockPrizeId: string | null;
}

/** SHA-256 of the seed's bytes, hex: the commitment published before the draw opens. */
export function seedCommitment(seedHex: string): string {
  return createHash('sha256').update(Buffer.from(seedHex, 'hex')).digest('hex');
}

function ticketOf(seedHex: string, message: string): bigint {
  return createHmac('sha256', Buffer.from(seedHex, 'hex')).update(message, 'utf8').digest().readBigUInt64BE(0);
}

/** The instant outcome of the entry made by transaction `txId` (see the file comment for the rule). */
export function instantOutcome(seedHex: string, txId: string, prizes: readonly PrizeInPlay[], noPrizeWeight: number): InstantOutcome {
  const total = noPrizeWeight + prizes.reduce((sum, p) => sum + p.weight, 0);
  if (!Number.isSafeInteger(total) || total <= 0) throw new Error('a draw needs a positive total weight');
  const ticket = ticketOf(seedHex, txId);
  const pick = Number(ticket % BigInt(total));
  let upTo = 0;
  for (const prize of prizes) {
    upTo += prize.weight;
    if (pick < upTo) {
      return prize.stockLeft > 0
        ? { ticket: ticket.toString(), pick, total, prizeId: prize.prizeId, outOfStockPrizeId: null }
        : { ticket: ticket.toString(), pick, total, prizeId: null, outOfStockPrizeId: prize.prizeId };
    }
  }
  return { ticket: ticket.toString(), pick, total, prizeId: null, outOfStockPrizeId: null };
}

export interface SecondChanceWinner {
  prizeId: string;
  /** 0, 1, … for the prize's winners in the order drawn. */
  k: number;
  entryTxId: string;
}

/** The second-chance winners among `entryTxIds` (see the file comment); fewer than asked when entries run out. */
export function secondChanceWinners(seedHex: string, entryTxIds: readonly string[], prizes: readonly Pick<SecondChancePrize, 'prizeId' | 'count'>[]): SecondChanceWinner[] {
  const pool = [...entryTxIds].sort();
  const winners: SecondChanceWinner[] = [];
  for (const prize of prizes) {
    for (let k = 0; k < prize.count && pool.length > 0; k++) {
      const index = Number(ticketOf(seedHex, `second-chance:${prize.prizeId}:${k}`) % BigInt(pool.length));
      const [entryTxId] = pool.splice(index, 1);
      winners.push({ prizeId: prize.prizeId, k, entryTxId: entryTxId! });
    }
  }
  return winners;
}

/** An entry as the ledger recorded it, in the order it was applied. */
export interface RecordedEntry {
  txId: string;
  prizeId: string | null;
  ticket: string;
  pick: number;
}

export interface DrawAuditInput {
  seedHex: string;
  seedSha256: string;
  noPrizeWeight: number;
  prizes: readonly { prizeId: string; weight: number; stock: number }[];
  secondChance: readonly Pick<SecondChancePrize, 'prizeId' | 'count'>[];
  /** In the order applied. */
  entries: readonly RecordedEntry[];
  secondChanceWinners: readonly SecondChanceWinner[];
}

export interface DrawAudit {
  ok: boolean;
  commitmentHolds: boolean;
  entriesChecked: number;
  /** Each entry whose recorded outcome is not what the seed gives, and any difference in the second-chance winners. */
  mismatches: string[];
  /** Instant wins per prize, recomputed. */
  wins: Record<string, number>;
}

/** Recomputes every outcome of a draw from its revealed seed and compares with what the ledger recorded. */
export function auditDraw(input: DrawAuditInput): DrawAudit {
  const mismatches: string[] = [];
  const commitmentHolds = seedCommitment(input.seedHex) === input.seedSha256;
  if (!commitmentHolds) mismatches.push('the revealed seed does not match the published commitment');
  const stock = new Map(input.prizes.map((p) => [p.prizeId, p.stock]));
  const wins: Record<string, number> = Object.fromEntries(input.prizes.map((p) => [p.prizeId, 0]));
  for (const entry of input.entries) {
    const inPlay = input.prizes.map((p) => ({ prizeId: p.prizeId, weight: p.weight, stockLeft: stock.get(p.prizeId) ?? 0 }));
    const outcome = instantOutcome(input.seedHex, entry.txId, inPlay, input.noPrizeWeight);
    if (outcome.prizeId !== entry.prizeId || outcome.ticket !== entry.ticket || outcome.pick !== entry.pick) {
      mismatches.push(`entry ${entry.txId}: recorded ${entry.prizeId ?? 'no prize'} (pick ${entry.pick}), the seed gives ${outcome.prizeId ?? 'no prize'} (pick ${outcome.pick})`);
    }
    // Stock follows the recomputed outcomes, not the records: the audit is the draw replayed from its definition,
    // so an entry changed afterwards is reported alone, and every later outcome it would have moved with it.
    if (outcome.prizeId !== null) {
      stock.set(outcome.prizeId, (stock.get(outcome.prizeId) ?? 0) - 1);
      wins[outcome.prizeId] = (wins[outcome.prizeId] ?? 0) + 1;
    }
  }
  const expected = secondChanceWinners(input.seedHex, input.entries.map((e) => e.txId), input.secondChance);
  const key = (w: SecondChanceWinner) => `${w.prizeId}#${w.k}=${w.entryTxId}`;
  const recorded = new Set(input.secondChanceWinners.map(key));
  const computed = new Set(expected.map(key));
  for (const w of expected) if (!recorded.has(key(w))) mismatches.push(`second chance ${w.prizeId} #${w.k}: the seed gives entry ${w.entryTxId}, not recorded`);
  for (const w of input.secondChanceWinners) if (!computed.has(key(w))) mismatches.push(`second chance ${w.prizeId} #${w.k}: recorded entry ${w.entryTxId}, not what the seed gives`);
  return { ok: mismatches.length === 0, commitmentHolds, entriesChecked: input.entries.length, mismatches, wins };
}
