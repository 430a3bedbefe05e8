/**
 * A TCP relay between a kiosk and its hub that can go silent: stall() stops forwarding in both directions while
 * every connection stays open (a hub that hangs, a network path that drops everything without a reset), and
 * flow() delivers what was held and carries on. To the kiosk a stalled hub is connected and simply does not
 * answer — the case it cannot tell from a slow hub until its own time-outs say so.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pipe {
  from: Socket;
  to: Socket;
  held: Buffer[];
}

export class StallProxy {
  readonly #server: Server;
  readonly #pipes = new Set<Pipe>();
  readonly #sockets = new Set<Socket>();
  #stalled = false;
  #port = 0;

  constructor(private readonly upstream: { host: string; port: number }) {
    this.#server = createServer((client) => this.#relay(client));
  }

  get port(): number {
    return this.#port;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
    return this.#port;
  }

  /** Holds every byte from now on, both ways; connections stay open. */
  stall(): void {
    this.#stalled = true;
  }

  /** Delivers what was held, in order, and forwards again. */
  flow(): void {
    this.#stalled = false;
    for (const pipe of this.#pipes) {
      for (const chunk of pipe.held.splice(0)) if (!pipe.to.destroyed) pipe.to.write(chunk);
    }
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: Socket): void {
    const upstream = connect(this.upstream.port, this.upstream.host);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    }
    const pipes: Pipe[] = [
      { from: client, to: upstream, held: [] },
      { from: upstream, to: client, held: [] },
    ];
    for (const pipe of pipes) {
      this.#pipes.add(pipe);
      pipe.from.on('data', (chunk: Buffer) => {
        if (this.#stalled) pipe.held.push(chunk);
        else pipe.to.write(chunk);
      });
      // One side gone: the other goes too, as a relay does (an error is just another way of going).
      pipe.from.once('close', () => {
        this.#pipes.delete(pipe);
        pipe.to.destroy();
      });
      pipe.from.on('error', () => undefined);
    }
  }
}
