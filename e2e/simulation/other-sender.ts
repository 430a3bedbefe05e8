/**
 * Another sender under the kiosk's device id (a cloned kiosk): it connects with the kiosk's client id (taking
 * its session over), takes one seq of the kiosk's current epoch, and leaves. That closes the epoch at the hub
 * and must make the kiosk move its pending entries to a new one.
 */
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import type { Prng } from './prng.ts';
import { ROGUE_MEMBER, SIM_BASE_TIME, SIM_DEVICE_ID, SIM_STAFF_ACTOR, SIM_STORE_ID, type SimLedger } from './sim-ledger.ts';
import { SimMqttClient } from './sim-network.ts';
import type { SimRun } from './sim-run-context.ts';

const DEVICE = SIM_DEVICE_ID;
const BASE_TIME = SIM_BASE_TIME;
const topics = createTopics();

export interface OtherSender {
  /** takeNext: the seq after the epoch's last applied one (else one already taken, when there is one). */
  send: (takeNext: boolean) => void;
  /** How many times it has sent (the end check expects no epoch move without one). */
  readonly count: number;
}

export function createOtherSender(run: SimRun, options: { rng: Prng; ledger: SimLedger; kioskEpoch: () => string }): OtherSender {
  const { sched, broker, trace } = run;
  const { epochLabel } = run.names;
  const { rng: otherRng, ledger } = options;
  const otherUlid = createUlidFactory(() => BASE_TIME + sched.now, (n) => otherRng.bytes(n));
  let otherSenders = 0;
  function otherSender(takeNext: boolean): void {
    otherSenders += 1;
    const epoch = options.kioskEpoch();
    const last = ledger.lastSeq(DEVICE, epoch);
    const seq = takeNext || last === 0 ? last + 1 : otherRng.int(1, last);
    const id = otherUlid();
    run.names.set(id, `X${otherSenders}`);
    const payload = JSON.stringify({
      v: TX_FORMAT, id, deviceId: DEVICE, epoch, seq, kind: 'top_up', createdAt: run.iso(), storeId: SIM_STORE_ID, bundleVersion: 1,
      // A clone of the kiosk holds what the kiosk holds, its staff session too.
      cardUid: ROGUE_MEMBER.card, amountCents: 100, tender: 'cash', actor: SIM_STAFF_ACTOR,
    });
    trace(() => `other sender: connects as ${DEVICE} and sends X${otherSenders}@${epochLabel(epoch)}/${seq}`);
    // A cloned kiosk uses the same client id: connecting takes the session over (the kiosk is disconnected).
    const client: SimMqttClient = new SimMqttClient(sched, broker, otherRng, { clientId: DEVICE, filters: [], reconnectDelay: () => 1_000 }, {
      ready: () => {
        client.publish(topics.tx(DEVICE), payload);
        sched.after(otherRng.int(20, 500), () => client.end());
      },
      closed: () => undefined,
      message: () => undefined,
    });
    client.start();
    sched.after(5_000, () => client.end());
  }
  return {
    send: otherSender,
    get count() {
      return otherSenders;
    },
  };
}
