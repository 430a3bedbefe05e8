/**
 * aedes inside the hub process, for single-machine installs and the demo. TCP_NODELAY on every socket:
 * without it each MQTT round trip here waits ~44 ms on Nagle against delayed ACKs.
 *
 * Listeners: MQTT over TLS (the hub's own certificate, hub/pki/hub-tls.ts) for kiosks on the network, and a
 * plain one bound to loopback only, for the hub's own client, the demo and tests on the same machine.
 *
 * Who may connect: the hub (username "hub" with the in-process secret) may do anything; every other client is
 * an enrolled kiosk whose username and client id are its device id and whose password is its enrolment secret
 * (device-authenticator.ts), and may publish and subscribe only where device-acl.ts says. Anonymous clients,
 * unknown, revoked or wrong-secret ones are refused at CONNECT. A revoked kiosk still connected is disconnected:
 * the broker looks for new revocations in the fleet every second (the CLI revokes by writing fleet.sqlite
 * while the hub runs), and `disconnectDevice` does it at once for a revocation made inside the hub.
 *
 * Packet size: a connection whose packet announces more than MAX_MQTT_PACKET_BYTES is closed before the body is
 * read (limit-socket-packet-size.ts), the limit Mosquitto gets as `max_packet_size` (docs/OPERATIONS.md).
 */
import { Aedes, type Client } from 'aedes';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { MAX_MQTT_PACKET_BYTES } from '../../core/wire/limits.ts';
import type { ScopedIdentity } from '../../core/wire/config-scopes.ts';
import { createTopics, DEFAULT_BASE_TOPIC } from '../../core/wire/topics.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import { devicePublishAllowed, deviceSubscribeAllowed } from './device-acl.ts';
import { authenticateDevice, CONNACK_CODE } from './device-authenticator.ts';
import { limitSocketPacketSize } from './limit-socket-packet-size.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  baseTopic?: string;
  hubSecret: string;
  /** Enrolled kiosks: who may log in, and their store and region (for the config scopes they may read). */
  fleet: Pick<FleetRegistry, 'device' | 'store' | 'revokedDeviceIds'>;
  /** MQTT over TLS for kiosks on the network; none when absent. */
  tls?: { host: string; port: number; credentials: () => { key: string; cert: string } } | undefined;
  /** How often revocations written by another process are looked for; default 1000 ms. */
  revocationPollMs?: number;
  logger: Logger;
}

export interface BrokerAddress {
  url: string;
  port: number;
  tlsUrl: string | null;
  tlsPort: number | null;
}

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private tlsServer: TlsServer | null = null;
  private revocationTimer: NodeJS.Timeout | null = null;
  /** Each connected kiosk's identity, taken at login: what its ACL is checked against. */
  private readonly identities = new WeakMap<Client, ScopedIdentity>();
  private readonly log: Logger;

  constructor(private readonly options: EmbeddedBrokerOptions) {
    this.log = options.logger.child({ component: 'hub.broker' });
  }

  async start(): Promise<BrokerAddress> {
    if (this.server) return this.address();
    const topics = createTopics(this.options.baseTopic ?? DEFAULT_BASE_TOPIC);
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
      const clientId = client.id;
      authenticateDevice(this.options.fleet, clientId, username, password).then(
        (login) => {
          if (login.ok) {
            this.identities.set(client, login.identity);
            done(null, true);
            return;
          }
          // Never the password; the client id only when it is a plausible id (it is whatever the client sent).
          this.log.warn({ code: 'MQTT_CLIENT_REFUSED', refusal: login.refusal, clientId: clientId.slice(0, 64), client: remoteOf(client) }, 'refused an MQTT client');
          done(Object.assign(new Error(`refused: ${login.refusal}`), { returnCode: CONNACK_CODE[login.refusal] }), false);
        },
        (error: unknown) => {
          this.log.error({ err: error, clientId }, 'could not check a client against the fleet; refused');
          done(Object.assign(new Error('fleet unavailable'), { returnCode: 3 as const }), false);
        },
      );
    };
    broker.authorizePublish = (client, packet, done) => {
      if (!client || hubClients.has(client)) return done(null);
      const identity = this.identities.get(client);
      if (identity && devicePublishAllowed(topics, identity, packet.topic)) return done(null);
      this.log.warn({ code: 'MQTT_PUBLISH_REFUSED', clientId: client.id, topic: packet.topic }, 'publish refused: outside the device namespace');
      done(new Error('not allowed'));
    };
    broker.authorizeSubscribe = (client, subscription, done) => {
      if (!client || hubClients.has(client)) return done(null, subscription);
      const identity = this.identities.get(client);
      if (identity && deviceSubscribeAllowed(topics, identity, subscription.topic)) return done(null, subscription);
      this.log.warn({ code: 'MQTT_SUBSCRIBE_REFUSED', clientId: client.id, topic: subscription.topic }, 'subscribe refused: outside the device topics');
      done(null, null);
    };
    // aedes has no packet size limit and buffers a whole packet before looking at it: every connection is
    // guarded so a packet announcing more than the limit closes it before its body is read.
    const server = createServer({ noDelay: true }, (socket) => {
      this.guardPacketSize(socket);
      broker.handle(socket);
    });
    await listen(server, this.options.port, this.options.host);
    this.broker = broker;
    this.server = server;
    const tls = this.options.tls;
    if (tls) {
      // The guard sits on the TLS socket: it sees the decrypted MQTT bytes, as it sees the plain ones.
      const tlsServer = createTlsServer(tls.credentials(), (socket) => {
        socket.setNoDelay(true);
        this.guardPacketSize(socket);
        broker.handle(socket);
      });
      // A failed handshake (a scanner, a client that does not trust the CA) is that client's problem, not the broker's.
      tlsServer.on('tlsClientError', (error, socket) => this.log.debug({ err: error.message, client: `${socket.remoteAddress}:${socket.remotePort}` }, 'TLS handshake failed'));
      try {
        await listen(tlsServer, tls.port, tls.host);
      } catch (error) {
        await this.stop();
        throw error;
      }
      this.tlsServer = tlsServer;
    }
    this.revocationTimer = setInterval(() => void this.disconnectRevoked(), this.options.revocationPollMs ?? 1000);
    this.revocationTimer.unref();
    const address = this.address();
    this.log.info({ url: address.url, tlsUrl: address.tlsUrl }, 'embedded MQTT broker listening');
    return address;
  }

  /** Closes a kiosk's connection now (after a revocation); true when it was connected. */
  disconnectDevice(deviceId: string): boolean {
    const client = (this.broker as unknown as { clients?: Record<string, Client | undefined> } | null)?.clients?.[deviceId];
    if (!client || !this.identities.has(client)) return false;
    this.log.warn({ code: 'DEVICE_REVOKED', deviceId }, 'disconnected a revoked device');
    client.close();
    return true;
  }

  private polling = false;

  private async disconnectRevoked(): Promise<void> {
    if (this.polling || !this.broker) return;
    this.polling = true;
    try {
      for (const deviceId of await this.options.fleet.revokedDeviceIds()) this.disconnectDevice(deviceId);
    } catch (error) {
      this.log.error({ err: error }, 'could not read revocations from the fleet; trying again');
    } finally {
      this.polling = false;
    }
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

  address(): BrokerAddress {
    const port = (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
    const tlsPort = this.options.tls ? ((this.tlsServer?.address() as AddressInfo | null)?.port ?? this.options.tls.port) : null;
    return { url: `mqtt://${this.options.host}:${port}`, port, tlsUrl: this.options.tls && tlsPort !== null ? `mqtts://${this.options.tls.host}:${tlsPort}` : null, tlsPort };
  }

  async stop(): Promise<void> {
    const server = this.server;
    const tlsServer = this.tlsServer;
    const broker = this.broker;
    this.server = null;
    this.tlsServer = null;
    this.broker = null;
    if (this.revocationTimer) clearInterval(this.revocationTimer);
    this.revocationTimer = null;
    // The broker first: it disconnects every client, and only then can the listening server finish closing
    // (server.close waits for open connections, so the other order hangs while any kiosk is connected).
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (tlsServer) await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Where a client connects from, for the log (aedes keeps its socket as `conn`). */
function remoteOf(client: Client): string | null {
  const socket = (client as unknown as { conn?: { remoteAddress?: string; remotePort?: number } }).conn;
  return socket?.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : null;
}
