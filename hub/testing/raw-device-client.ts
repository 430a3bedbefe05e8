/**
 * A bare MQTT client that speaks the device protocol by hand, for hub tests that need to send exactly the
 * bytes they choose (duplicates, conflicts, garbage) — the real device would never send those.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { resultsOf, type TxResult } from '../../core/wire/result.ts';
import { type LookupRequest, type LookupResponse } from '../../core/wire/lookup.ts';
import { lookupOverMqtt } from './mqtt-lookup.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { TX_FORMAT, type TransactionInput } from '../../core/wire/transaction.ts';
import { DEMO_STORE_ID } from '../demo/seed-demo-data.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RawTxBody = DistributiveOmit<TransactionInput, 'id' | 'deviceId' | 'seq' | 'epoch' | 'v' | 'createdAt' | 'bundleVersion' | 'storeId' | 'clockOffsetMs'>;

export class RawDeviceClient {
  readonly results: TxResult[] = [];
  /** How many tx/result messages arrived (a message may carry many results). */
  resultMessages = 0;
  private readonly topics = createTopics();
  private readonly nextUlid = createUlidFactory(Date.now, (n) => randomBytes(n));
  private seq = 0;
  private waiters: { match: (r: TxResult) => boolean; resolve: (r: TxResult) => void }[] = [];

  private constructor(private readonly client: MqttClient, readonly deviceId: string) {
    client.on('message', (topic, payload) => {
      if (topic !== this.topics.txResult(deviceId)) return;
      this.resultMessages += 1;
      const results = resultsOf(JSON.parse(payload.toString()));
      if (!results) throw new Error(`hub sent a malformed tx result: ${payload.toString().slice(0, 200)}`);
      for (const result of results) {
        this.results.push(result);
        this.waiters = this.waiters.filter((w) => (w.match(result) ? (w.resolve(result), false) : true));
      }
    });
  }

  /** `credentials`: the device's enrolment (enrolForTest); the broker refuses anyone else. */
  /** `credentials.caPem`: the hub CA to trust on an mqtts:// URL (a kiosk pins it at enrolment). */
  static async connect(url: string, deviceId: string, credentials: { username: string; password: string; caPem?: string }): Promise<RawDeviceClient> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: deviceId,
      username: credentials.username,
      password: credentials.password,
      clean: true,
      reconnectPeriod: 0,
      ...(credentials.caPem === undefined ? {} : { ca: credentials.caPem }),
    });
    (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    const topics = createTopics();
    await client.subscribeAsync([topics.txResult(deviceId), `${topics.response(deviceId, '+')}`], { qos: 1 });
    return new RawDeviceClient(client, deviceId);
  }

  /** The epoch this client's transactions name; '' (format 1's) unless a test sets one. */
  epoch = '';

  /** A well-formed transaction (current format) with the next seq (not sent). */
  make(body: RawTxBody, overrides: Partial<{ seq: number; id: string; createdAt: string; bundleVersion: number; snapshotVersion: number; epoch: string; clockOffsetMs: number }> = {}): TransactionInput {
    const seq = overrides.seq ?? ++this.seq;
    return {
      v: TX_FORMAT,
      id: overrides.id ?? this.nextUlid(),
      deviceId: this.deviceId,
      epoch: overrides.epoch ?? this.epoch,
      seq,
      ...(overrides.clockOffsetMs === undefined ? {} : { clockOffsetMs: overrides.clockOffsetMs }),
      createdAt: overrides.createdAt ?? new Date().toISOString(),
      storeId: DEMO_STORE_ID,
      bundleVersion: overrides.bundleVersion ?? 1,
      ...(overrides.snapshotVersion === undefined ? {} : { snapshotVersion: overrides.snapshotVersion }),
      ...body,
    };
  }

  async publishRaw(payload: string | Buffer): Promise<void> {
    await this.client.publishAsync(this.topics.tx(this.deviceId), payload, { qos: 1 });
  }

  /** Publishes and waits for the next result that names this id (or, for garbage, the next result at all). */
  async send(tx: TransactionInput | string | Buffer, timeoutMs = 5_000): Promise<TxResult> {
    const id = typeof tx === 'object' && !Buffer.isBuffer(tx) ? tx.id : null;
    const waiting = this.waitFor((r) => (id === null ? true : r.id === id), timeoutMs);
    await this.publishRaw(typeof tx === 'object' && !Buffer.isBuffer(tx) ? JSON.stringify(tx) : tx);
    return waiting;
  }

  waitFor(match: (r: TxResult) => boolean, timeoutMs = 5_000): Promise<TxResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching tx result within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  }

  lookup(request: LookupRequest, timeoutMs = 5_000): Promise<LookupResponse> {
    return lookupOverMqtt(this.client, this.topics, this.deviceId, request, timeoutMs, this.nextUlid());
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
