/**
 * A TCP relay in front of the kiosk's HTTP port that notes the request line of every HTTP request passing
 * through, so a test can tell what a browser it does not drive (Chromium inside cage) asked the kiosk for.
 * The bytes are relayed untouched; while the kiosk is not listening, a connection is closed at once (as a
 * refused connection would be).
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface LoggedRequest {
  method: string;
  path: string;
}

export class RequestLogProxy {
  readonly requests: LoggedRequest[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {}

  async listen(): Promise<number> {
    const server = createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  private relay(client: Socket): void {
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      // Keep-alive connections carry several requests; each starts its own line.
      for (const match of chunk.toString('latin1').matchAll(/^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\S+) HTTP\/1\.[01]\r$/gm)) {
        this.requests.push({ method: match[1]!, path: match[2]! });
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
