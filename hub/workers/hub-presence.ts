/**
 * The chain's hub presence on `hub/availability`, kept by the leader worker on a connection of its own.
 *
 * Kiosks read that topic as "the hub": a live `online` means "the hub (re)started; what it had received but not
 * committed is lost, resend everything pending", `offline` means "the hub is gone; queue, don't wait". With several
 * workers one worker's death must not say "gone", but it must say "resend": the messages the broker had handed the
 * dead worker are lost (Mosquitto 2 does not pass a dead shared subscriber's unacknowledged QoS 1 messages to
 * another, eclipse-mosquitto/mosquitto#2662; workers use clean sessions so nothing queues for them either).
 *
 * So:
 * - the presence connection has one client id for the whole chain (`{base}-hub-presence`), MQTT 5, a session that
 *   outlives the connection (clean start off, session expiry 60 s) and a last will `offline` (retained) with a will
 *   delay of 5 s. When the leader dies the broker holds the will back; the next leader (elected within ~2 s) connects
 *   with the same client id and no clean start, which cancels the will (Mosquitto: a new connection to the session
 *   within the delay drops the pending will), and publishes `online`: the kiosks resend, and never saw `offline`.
 *   Only when no worker takes over within the delay do kiosks hear `offline` — then the hub really is gone.
 * - every worker keeps its own retained availability with its own will (worker-topics.ts); the leader watches them,
 *   and when one goes `offline` live it publishes `online` again: the kiosks resend what that worker swallowed at
 *   once, rather than after their 5 s without an answer.
 *
 * The connection never reconnects by itself: `ensure()` is called after each beat that confirmed this worker holds
 * the leader lock (leader-election.ts), so a worker that lost the lock without knowing it yet cannot take the
 * presence back from its successor.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { WorkerTopics } from './worker-topics.ts';

export interface HubPresenceOptions {
  url: string;
  username?: string;
  password?: string;
  ca?: string[];
  /** The kiosks' `hub/availability`. */
  hubAvailability: string;
  workerTopics: WorkerTopics;
  /** This worker's id: its own `offline` is not news to itself. */
  workerId: string;
  /** One id for every worker of the chain. */
  clientId: string;
  /** How long the broker holds the leader's will back for a successor to cancel it. */
  willDelaySeconds?: number;
  logger: Logger;
}

export class HubPresence {
  private readonly log: Logger;
  private client: MqttClient | null = null;
  /** Times the leader told kiosks to resend because a worker went away. */
  resendsAsked = 0;

  constructor(private readonly options: HubPresenceOptions) {
    this.log = options.logger.child({ component: 'hub.presence' });
  }

  /** Connected, or connecting, now: the leader calls it after every beat that confirmed its lock. */
  ensure(): void {
    if (this.client) return;
    const o = this.options;
    const willDelayInterval = o.willDelaySeconds ?? 5;
    const client = mqtt.connect(o.url, {
      protocolVersion: 5,
      clientId: o.clientId,
      clean: false,
      // Longer than the will delay: the session (and with it the pending will) must still be there for a successor.
      properties: { sessionExpiryInterval: Math.max(60, willDelayInterval * 4) },
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      log: () => undefined,
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
      will: { topic: o.hubAvailability, payload: Buffer.from('offline'), qos: 1, retain: true, properties: { willDelayInterval } },
    });
    this.client = client;
    client.on('connect', () => {
      this.log.info({ workerId: o.workerId }, 'hub presence taken: kiosks are told the hub is online');
      client.publish(o.hubAvailability, 'online', { qos: 1, retain: true });
      client.subscribe(o.workerTopics.allAvailability, { qos: 1 });
    });
    client.on('message', (topic, payload, packet) => {
      const worker = o.workerTopics.workerOf(topic);
      // The retained copies every subscribe gets are history; only a live `offline` is a worker going away now.
      if (!worker || packet.retain || worker === o.workerId || payload.toString() !== 'offline') return;
      this.resendsAsked += 1;
      this.log.info({ worker }, 'a hub worker went away: kiosks are told to resend what they have pending');
      client.publish(o.hubAvailability, 'online', { qos: 1, retain: true });
    });
    client.on('error', (error) => this.log.warn({ err: error }, 'hub presence connection failed; the leader tries again at its next beat'));
    client.on('close', () => {
      if (this.client === client) this.client = null;
      client.end(true);
    });
  }

  /**
   * The leader steps down: the connection ends with its will (MQTT 5 reason 0x04), which the broker publishes after
   * the will delay unless the next leader takes the presence over first.
   */
  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (!client.connected) {
      client.end(true);
      return;
    }
    const ended = client.endAsync(false, { reasonCode: 4 });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
    await Promise.race([ended.catch(() => undefined), timeout]);
    client.end(true);
  }
}
