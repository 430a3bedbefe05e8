/**
 * aedes inside the hub process, for single-machine installs and the demo. TCP_NODELAY on every socket:
 * without it each MQTT round trip here waits ~44 ms on Nagle against delayed ACKs.
 *
 * Topic permissions: the hub (username "hub" with the in-process secret) may do anything; every other client
 * is a device whose client id is its device id, and may publish only under its own devices/{id}/ and
 * subscribe only to its own topics, to config and to the hub's availability. Device credentials come with provisioning (a later issue):
 * until then any client may claim a device id, which is why the broker binds to loopback by default.
 *
 * Packet size: a connection whose packet announces more than MAX_MQTT_PACKET_BYTES is closed before the body is
 * read (limit-socket-packet-size.ts), the limit Mosquitto gets as `max_packet_size` (docs/OPERATIONS.md).
 */
import { Aedes, type Client } from 'aedes';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import { MAX_MQTT_PACKET_BYTES } from '../../core/wire/limits.ts';
import { DEFAULT_BASE_TOPIC } from '../../core/wire/topics.ts';
import { limitSocketPacketSize } from './limit-socket-packet-size.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  baseTopic?: string;
  hubSecret: string;
  logger: Logger;
}

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly log: Logger;

  constructor(private readonly options: EmbeddedBrokerOptions) {
    this.log = options.logger.child({ component: 'hub.broker' });
  }

  async start(): Promise<{ url: string; port: number }> {
    if (this.server) return this.address();
    const base = `${this.options.baseTopic ?? DEFAULT_BASE_TOPIC}/v1`;
    const broker = await Aedes.createBroker();
    const hubClients = new WeakSet<Client>();
    broker.authenticate = (client, username, password, done) => {
      if (username === 'hub') {
        const ok = password?.toString() === this.options.hubSecret;
        if (ok) hubClients.add(client);
        const error = ok ? null : Object.assign(new Error('bad hub credentials'), { returnCode: 4 as const });
        done(error, ok);
        return;
      }
      // "hq" is the hub's own device id for HQ transactions: no client may take it.
      if (client.id === HQ_DEVICE_ID) {
        this.log.warn('refused a client connecting with the reserved HQ device id');
        done(Object.assign(new Error('reserved client id'), { returnCode: 2 as const }), false);
        return;
      }
      done(null, true);
    };
    broker.authorizePublish = (client, packet, done) => {
      if (!client || hubClients.has(client)) return done(null);
      if (packet.topic.startsWith(`${base}/devices/${client.id}/`)) return done(null);
      this.log.warn({ clientId: client.id, topic: packet.topic }, 'publish refused: outside the device namespace');
      done(new Error('not allowed'));
    };
    broker.authorizeSubscribe = (client, subscription, done) => {
      if (!client || hubClients.has(client)) return done(null, subscription);
      const topic = subscription.topic;
      if (topic.startsWith(`${base}/devices/${client.id}/`) || topic.startsWith(`${base}/config/`) || topic === `${base}/hub/availability`) return done(null, subscription);
      this.log.warn({ clientId: client.id, topic }, 'subscribe refused: outside the device namespace');
      done(null, null);
    };
    // aedes has no packet size limit and buffers a whole packet before looking at it: every connection is
    // guarded so a packet announcing more than the limit closes it before its body is read.
    const server = createServer({ noDelay: true }, (socket) => {
      this.guardPacketSize(socket);
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.broker = broker;
    this.server = server;
    const address = this.address();
    this.log.info({ url: address.url }, 'embedded MQTT broker listening');
    return address;
  }

  private guardPacketSize(socket: Socket): void {
    // Taken now: a destroyed socket no longer knows its peer.
    const client = `${socket.remoteAddress}:${socket.remotePort}`;
    limitSocketPacketSize(socket, MAX_MQTT_PACKET_BYTES, (refusal) => {
      // aedes hangs its Client on the socket; it has an id once CONNECT was read.
      const clientId = (socket as { client?: { id?: string | null } }).client?.id ?? null;
      if (refusal.code === 'MQTT_PACKET_TOO_LARGE') {
        this.log.warn(
          { code: refusal.code, client, clientId, packetType: refusal.packetType, announcedBytes: refusal.announcedBytes, limitBytes: MAX_MQTT_PACKET_BYTES },
          'closed a connection whose packet announces more than the broker limit',
        );
      } else {
        this.log.warn({ code: refusal.code, client, clientId, packetType: refusal.packetType }, 'closed a connection whose packet has a malformed remaining length');
      }
    });
  }

  address(): { url: string; port: number } {
    const port = (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
    return { url: `mqtt://${this.options.host}:${port}`, port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = null;
    this.broker = null;
    // The broker first: it disconnects every client, and only then can the listening server finish closing
    // (server.close waits for open connections, so the other order hangs while any kiosk is connected).
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
