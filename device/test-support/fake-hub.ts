/**
 * Plays the hub's side of the transaction and look-up protocol for device tests: strict seq order without
 * gaps, `exists` for a repeated id, TX_OUT_OF_ORDER (retry) for a gap, look-ups answered from a member table.
 * The real hub (hub/) is tested against the device by the lead's integration tests.
 */
import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { parseTransaction } from '../../core/wire/parse-transaction.ts';
import type { DeviceProfile, LookupAnswer, MemberView, StaffSessionView } from '../../core/wire/lookup.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import { createTopics, type Topics } from '../../core/wire/topics.ts';

export interface FakeHubOptions {
  url: string;
  baseTopic?: string;
  /** Decides a transaction that is next in order; default: applied (recorded). A recorded rejection still consumes the seq. */
  decide?: (tx: Transaction) => Omit<TxResult, 'id' | 'seq'>;
  /** A refusal the hub does not record (no seq consumed, nothing stored), as the real hub answers a device mismatch. */
  refuseUnrecorded?: (tx: Transaction) => { code: ErrorCode; message: string } | null;
  /** Return true to swallow a transaction message as if it was lost (no result at all). */
  drop?: (tx: Transaction) => boolean;
  /** Answer look-ups; default true. */
  answerLookups?: boolean;
  members?: Map<string, MemberView>;
  /**
   * Staff cards by UID, with their PIN and the session the hub opens for them: a tapped staff card is answered
   * CARD_IS_STAFF, and `staff.signIn` with the right PIN opens the session (STAFF_PIN_WRONG otherwise).
   */
  staff?: Map<string, { pin: string; session: StaffSessionView }>;
  /** How the hub has every kiosk stand (`device.profile`); without it the look-up is refused. */
  profile?: DeviceProfile;
  /** Publish results one per this many ms (in order), so they reach the device in separate event-loop passes. */
  resultSpacingMs?: number;
  /** Signed configuration sets by device id: `config.current` answers with it (refused, as a hub without a signing key, when absent). */
  configSets?: Map<string, unknown>;
}

export interface FakeHub {
  client: MqttClient;
  /** Ids in the order they were applied (each at most once). */
  applied: string[];
  /** Every tx message received, duplicates included. */
  received: { id: string; seq: number }[];
  /** Transactions held while paused. */
  heldCount(): number;
  results: TxResult[];
  members: Map<string, MemberView>;
  setAnswerLookups(answer: boolean): void;
  /** Publishes a configuration set (anything: tests send broken ones too) retained on the kiosk's config-set topic. */
  publishConfigSet(deviceId: string, set: unknown): Promise<void>;
  /** While paused, transactions are held unprocessed (no results); resume processes them in arrival order. */
  pauseTransactions(): void;
  resumeTransactions(): void;
  stop(): Promise<void>;
}

export async function startFakeHub(opts: FakeHubOptions): Promise<FakeHub> {
  const topics: Topics = createTopics(opts.baseTopic);
  const members = opts.members ?? new Map<string, MemberView>();
  const nextSeq = new Map<string, number>();
  const done = new Map<string, { payload: string; result: TxResult }>();
  const applied: string[] = [];
  const received: { id: string; seq: number }[] = [];
  const results: TxResult[] = [];
  let answerLookups = opts.answerLookups ?? true;

  const client = mqtt.connect(opts.url, {
    protocolVersion: 4,
    clean: true,
    clientId: `fake-hub-${process.pid}-${Math.random().toString(16).slice(2)}`,
    reconnectPeriod: 100,
    resubscribe: false,
  });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fake hub could not connect')), 5000);
    markReady = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  client.on('connect', () => {
    (client.stream as unknown as Socket).setNoDelay(true);
    // Clean session: subscribe again on every connect, and only count as ready once the broker granted it.
    client.subscribe({ [topics.allTx]: { qos: 1 }, [topics.allRequests]: { qos: 1 } }, () => markReady());
  });
  client.on('error', () => undefined);

  const spaced: [string, TxResult][] = [];
  let spacingTimer: NodeJS.Timeout | null = null;
  function answer(deviceId: string, result: TxResult): void {
    results.push(result);
    if (!opts.resultSpacingMs) {
      client.publish(topics.txResult(deviceId), JSON.stringify(result), { qos: 1 });
      return;
    }
    spaced.push([deviceId, result]);
    spacingTimer ??= setInterval(() => {
      const next = spaced.shift();
      if (next) client.publish(topics.txResult(next[0]), JSON.stringify(next[1]), { qos: 1 });
      else if (spacingTimer) {
        clearInterval(spacingTimer);
        spacingTimer = null;
      }
    }, opts.resultSpacingMs);
  }

  let paused = false;
  const held: [string, Buffer][] = [];
  client.on('message', (topic, payload) => {
    if (paused && topics.parse(topic)?.channel === 'tx') {
      held.push([topic, payload]);
      return;
    }
    handle(topic, payload);
  });

  function answerLookup(req: { op: string; cardUid?: string; pin?: string }, deviceId: string): LookupAnswer {
    if (req.op === 'config.current') {
      const set = opts.configSets?.get(deviceId);
      return set ? { ok: true, configSet: set as Record<string, unknown> } : { ok: false, code: 'SIGNING_KEY_MISSING', message: 'no configuration for this kiosk' };
    }
    const staff = req.cardUid ? opts.staff?.get(req.cardUid) : undefined;
    if (req.op === 'staff.signIn') {
      if (!staff) return { ok: false, code: 'STAFF_CARD_UNKNOWN', message: 'not an active staff card' };
      return req.pin === staff.pin ? { ok: true, staffSession: staff.session } : { ok: false, code: 'STAFF_PIN_WRONG', message: 'wrong PIN' };
    }
    if (req.op === 'staff.signOut') return { ok: true, signedOut: true };
    if (req.op === 'device.profile' && opts.profile) return { ok: true, profile: opts.profile };
    if (req.op === 'member.byCard' && staff) return { ok: false, code: 'CARD_IS_STAFF', message: 'a staff card: enter the PIN to sign in' };
    // The fake keeps no ledger: no purchase is known to it (a kiosk's own are read from its outbox first).
    if (req.op === 'purchase.lines') return { ok: false, code: 'REFUND_UNKNOWN_PURCHASE', message: 'no purchase of this member with that id' };
    const member = req.cardUid ? members.get(req.cardUid) : undefined;
    return member ? { ok: true, member } : { ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' };
  }

  function handle(topic: string, payload: Buffer): void {
    const where = topics.parse(topic);
    if (!where) return;
    if (where.channel === 'request' && where.requestId) {
      if (!answerLookups) return;
      const req = JSON.parse(payload.toString()) as { op: string; cardUid?: string; pin?: string };
      const response = answerLookup(req, where.deviceId);
      client.publish(topics.response(where.deviceId, where.requestId), JSON.stringify(response), { qos: 1 });
      return;
    }
    if (where.channel !== 'tx') return;
    const parsed = parseTransaction(payload);
    if (!parsed.ok) return; // the device under test only ever sends well-formed transactions
    const tx = parsed.tx;
    received.push({ id: tx.id, seq: tx.seq });
    if (opts.drop?.(tx)) return;
    const previous = done.get(tx.id);
    const slot = { id: tx.id, seq: tx.seq, epoch: tx.epoch };
    const unrecorded = opts.refuseUnrecorded?.(tx);
    if (unrecorded) {
      answer(tx.deviceId, { ...slot, status: 'rejected', ...unrecorded, recorded: false });
      return;
    }
    if (previous) {
      const original = previous.result.status === 'rejected' ? 'rejected' : 'applied';
      answer(tx.deviceId, { ...previous.result, ...slot, status: 'exists', original, recorded: true });
      return;
    }
    const sequence = `${tx.deviceId}/${tx.epoch}`;
    const expected = nextSeq.get(sequence) ?? 1;
    if (tx.seq > expected) {
      answer(tx.deviceId, { ...slot, status: 'rejected', code: 'TX_OUT_OF_ORDER', retry: true, recorded: false });
      return;
    }
    if (tx.seq < expected) {
      answer(tx.deviceId, { ...slot, status: 'rejected', code: 'TX_SEQ_REUSED', recorded: false });
      return;
    }
    const decision = opts.decide?.(tx) ?? { status: 'applied' as const };
    // Every decision the fake hub makes is recorded, as the real hub records applied and refused ones alike.
    const result: TxResult = { ...slot, recorded: true, ...decision };
    nextSeq.set(sequence, expected + 1);
    done.set(tx.id, { payload: parsed.raw, result });
    if (result.status === 'applied') applied.push(tx.id);
    answer(tx.deviceId, result);
  }

  await ready;
  return {
    client,
    applied,
    received,
    heldCount: () => held.length,
    results,
    members,
    setAnswerLookups(answer) {
      answerLookups = answer;
    },
    async publishConfigSet(deviceId, set) {
      await client.publishAsync(topics.configSet(deviceId), JSON.stringify(set), { qos: 1, retain: true });
    },
    pauseTransactions() {
      paused = true;
    },
    resumeTransactions() {
      paused = false;
      for (const [topic, payload] of held.splice(0)) handle(topic, payload);
    },
    async stop() {
      if (spacingTimer) clearInterval(spacingTimer);
      await client.endAsync(true);
    },
  };
}
