/**
 * The simulated network: one MQTT broker and its clients' TCP connections, modelled at the level of MQTT 3.1.1
 * packets with QoS 1 and clean sessions (what the kiosk and the hub use).
 *
 * What it can do to a message, and why those and no more:
 * - delay: every packet takes its own random latency, but a connection is one TCP stream, so packets in one
 *   direction arrive in the order they were sent (FIFO). Reordering within a connection is not something
 *   MQTT over TCP does; it is only allowed in the explicitly "beyond MQTT" mode (`reorder`), which checks
 *   that the exactly-once/in-order guarantee does not rest on FIFO at all.
 * - loss: a live connection loses nothing. Packets are lost when their connection dies (network drop, a
 *   process crash, the broker going down, a client taking over the same client id) and when the broker has
 *   no subscriber for them (clean sessions keep nothing while a client is away).
 * - duplicates: mqtt.js keeps every unacknowledged QoS 1 publish and resends it after each reconnect
 *   (clean session or not), so a publish whose PUBACK was lost reaches the subscriber twice; the delivery
 *   rules add their own resends (rewinds).
 * - reordering across connections: what a client resends after a reconnect arrives after what other
 *   connections (another sender under the same device id) delivered meanwhile.
 * Either side notices a dead connection after its own delay (a pulled cable is noticed late; a crashed
 * process's socket is reset at once).
 */
import type { Prng } from './prng.ts';
import type { Scheduler } from './scheduler.ts';

type Up =
  | { type: 'connect' }
  | { type: 'publish'; topic: string; payload: string; pid: number; retain: boolean }
  | { type: 'subscribe'; filters: readonly string[] }
  | { type: 'disconnect' };
type Down = { type: 'connack' } | { type: 'suback' } | { type: 'publish'; topic: string; payload: string; retain: boolean } | { type: 'puback'; pid: number };

export interface Will {
  topic: string;
  payload: string;
  retain: boolean;
}

class Connection {
  alive = true;
  filters: readonly string[] = [];
  upLast = 0;
  downLast = 0;
  constructor(
    readonly id: number,
    readonly client: SimMqttClient,
  ) {}
}

export interface NetworkOptions {
  /** One-way latency of one packet (ms). */
  latency: () => number;
  /** Beyond MQTT: packets of one connection may overtake each other. */
  reorder: boolean;
  trace: (line: string) => void;
}

export class Broker {
  alive = true;
  private readonly retained = new Map<string, string>();
  private readonly sessions = new Map<string, Connection>();
  private connections = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: Prng,
    private readonly opts: NetworkOptions,
  ) {}

  /** A client opens a TCP connection (null when nobody listens). */
  open(client: SimMqttClient): Connection | null {
    if (!this.alive) return null;
    this.connections += 1;
    return new Connection(this.connections, client);
  }

  sendUp(conn: Connection, packet: Up): void {
    this.transmit(conn, 'up', () => this.onPacket(conn, packet));
  }

  private sendDown(conn: Connection, packet: Down): void {
    this.transmit(conn, 'down', () => conn.client.onPacket(conn, packet));
  }

  private transmit(conn: Connection, direction: 'up' | 'down', deliver: () => void): void {
    if (!conn.alive) return;
    let at = this.sched.now + this.opts.latency();
    if (!this.opts.reorder) {
      // One TCP stream per direction: a later packet never overtakes an earlier one.
      if (direction === 'up') at = conn.upLast = Math.max(at, conn.upLast);
      else at = conn.downLast = Math.max(at, conn.downLast);
    }
    this.sched.at(at, () => {
      if (conn.alive) deliver();
    });
  }

  private onPacket(conn: Connection, packet: Up): void {
    const clientId = conn.client.clientId;
    switch (packet.type) {
      case 'connect': {
        const previous = this.sessions.get(clientId);
        if (previous && previous !== conn) {
          // Session takeover: the broker closes the older connection with the same client id.
          this.opts.trace(`broker: ${clientId} taken over by a new connection`);
          this.kill(previous, this.rng.int(0, 20), 0, true);
        }
        this.sessions.set(clientId, conn);
        this.sendDown(conn, { type: 'connack' });
        break;
      }
      case 'publish':
        this.route(packet.topic, packet.payload, packet.retain);
        if (packet.pid > 0) this.sendDown(conn, { type: 'puback', pid: packet.pid });
        break;
      case 'subscribe':
        conn.filters = [...conn.filters, ...packet.filters];
        this.sendDown(conn, { type: 'suback' });
        for (const [topic, payload] of this.retained) {
          if (packet.filters.some((f) => topicMatches(f, topic))) this.sendDown(conn, { type: 'publish', topic, payload, retain: true });
        }
        break;
      case 'disconnect':
        // A clean disconnect: no last will.
        if (this.sessions.get(clientId) === conn) this.sessions.delete(clientId);
        conn.alive = false;
        break;
    }
  }

  private route(topic: string, payload: string, retain: boolean): void {
    if (retain) this.retained.set(topic, payload);
    for (const conn of this.sessions.values()) {
      if (conn.alive && conn.filters.some((f) => topicMatches(f, topic))) this.sendDown(conn, { type: 'publish', topic, payload, retain: false });
    }
  }

  /**
   * The connection dies: whatever is on the wire is lost. The client notices after `clientNoticesMs`, the
   * broker after `brokerNoticesMs` (then the client's last will is published unless `silent`).
   */
  kill(conn: Connection, clientNoticesMs: number, brokerNoticesMs: number, silent = false): void {
    if (!conn.alive) return;
    conn.alive = false;
    this.sched.after(clientNoticesMs, () => conn.client.connectionLost(conn));
    this.sched.after(brokerNoticesMs, () => {
      if (this.sessions.get(conn.client.clientId) !== conn) return;
      this.sessions.delete(conn.client.clientId);
      const will = conn.client.will;
      if (will && !silent && this.alive) this.route(will.topic, will.payload, will.retain);
    });
  }

  /** The broker process stops: every connection dies (its clients notice at once), retained messages are gone. */
  crash(): void {
    this.alive = false;
    for (const conn of this.sessions.values()) this.kill(conn, this.rng.int(0, 50), 0, true);
    this.sessions.clear();
    this.retained.clear();
  }

  restart(): void {
    this.alive = true;
  }
}

export interface ClientHandlers {
  /** Connected and subscribed. */
  ready(): void;
  /** The connection is gone (noticed). */
  closed(): void;
  message(topic: string, payload: string, retain: boolean): void;
}

export interface ClientOptions {
  clientId: string;
  will?: Will;
  filters: readonly string[];
  /** The wait before the n-th reconnect attempt in a row (1 after the first failure). */
  reconnectDelay: (failures: number) => number;
}

/** What mqtt.js does for one client: connect, subscribe, keep unacknowledged QoS 1 publishes and resend them after a reconnect. */
export class SimMqttClient {
  readonly clientId: string;
  readonly will: Will | undefined;
  private conn: Connection | null = null;
  private state: 'off' | 'down' | 'connecting' | 'up' = 'off';
  /** Unacknowledged QoS 1 publishes, oldest first (mqtt.js's outgoing store). */
  private store = new Map<number, { topic: string; payload: string; retain: boolean }>();
  private pid = 0;
  private failures = 0;
  private attempt = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly broker: Broker,
    private readonly rng: Prng,
    private readonly opts: ClientOptions,
    private readonly handlers: ClientHandlers,
  ) {
    this.clientId = opts.clientId;
    this.will = opts.will;
  }

  /** The process starts its client. */
  start(): void {
    this.state = 'down';
    this.failures = 0;
    this.connect();
  }

  private connect(): void {
    if (this.state !== 'down') return;
    this.attempt += 1;
    const conn = this.broker.open(this);
    if (!conn) {
      // Connection refused: nobody listens.
      this.state = 'connecting';
      this.sched.after(this.rng.int(1, 20), () => this.failed());
      return;
    }
    this.state = 'connecting';
    this.conn = conn;
    this.broker.sendUp(conn, { type: 'connect' });
  }

  private failed(): void {
    if (this.state === 'off') return;
    this.state = 'down';
    this.conn = null;
    this.failures += 1;
    const attempt = this.attempt;
    this.sched.after(this.opts.reconnectDelay(this.failures), () => {
      if (this.attempt === attempt) this.connect();
    });
  }

  onPacket(conn: Connection, packet: Down): void {
    if (conn !== this.conn || this.state === 'off') return;
    switch (packet.type) {
      case 'connack':
        this.state = 'up';
        this.failures = 0;
        // mqtt.js resends its whole outgoing store on every connect, then the application subscribes.
        for (const [pid, message] of this.store) this.broker.sendUp(conn, { type: 'publish', ...message, pid });
        this.broker.sendUp(conn, { type: 'subscribe', filters: this.opts.filters });
        break;
      case 'suback':
        this.handlers.ready();
        break;
      case 'puback':
        this.store.delete(packet.pid);
        break;
      case 'publish':
        this.handlers.message(packet.topic, packet.payload, packet.retain);
        break;
    }
  }

  publish(topic: string, payload: string, retain = false): void {
    if (this.state === 'off') return;
    this.pid += 1;
    this.store.set(this.pid, { topic, payload, retain });
    // Written to the socket if there is one (it may be dead without our knowing); kept for a resend anyway.
    if (this.state === 'up' && this.conn) this.broker.sendUp(this.conn, { type: 'publish', topic, payload, retain, pid: this.pid });
  }

  /** The client notices its connection is gone. */
  connectionLost(conn: Connection): void {
    if (conn !== this.conn || this.state === 'off') return;
    const wasUp = this.state === 'up';
    this.failed();
    if (wasUp) this.handlers.closed();
  }

  /** A network fault on this client's connection. */
  dropConnection(clientNoticesMs: number, brokerNoticesMs: number): boolean {
    if (!this.conn || !this.conn.alive) return false;
    this.broker.kill(this.conn, clientNoticesMs, brokerNoticesMs);
    return true;
  }

  /** The process dies: memory (the outgoing store) is gone, the socket is reset (the broker notices at once). */
  kill(): void {
    const conn = this.conn;
    this.state = 'off';
    this.conn = null;
    this.store = new Map();
    this.attempt += 1;
    if (conn) this.broker.kill(conn, 0, this.rng.int(0, 20));
  }

  /** A clean disconnect (no last will). */
  end(): void {
    const conn = this.conn;
    this.state = 'off';
    this.conn = null;
    this.attempt += 1;
    if (conn && conn.alive) this.broker.sendUp(conn, { type: 'disconnect' });
  }

  isUp(): boolean {
    return this.state === 'up';
  }
}

/** MQTT topic filter matching with + and #. */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
