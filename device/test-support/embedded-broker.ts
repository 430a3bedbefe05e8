/**
 * A real aedes broker on a loopback port, for tests. `stop()` also destroys client sockets, so a test can
 * "pull the cable" and later start a new broker on the same port.
 */
import net from 'node:net';
import { Aedes } from 'aedes';

export interface TestBroker {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** `refuseLogins`: every CONNECT is refused as bad credentials (CONNACK 4), as a broker refuses a revoked kiosk. */
export async function startTestBroker(port = 0, options: { refuseLogins?: boolean } = {}): Promise<TestBroker> {
  const broker = await Aedes.createBroker(
    options.refuseLogins
      ? {
          authenticate: (_client, _username, _password, done) => {
            const refused = Object.assign(new Error('bad user name or password'), { returnCode: 4 as const });
            done(refused, false);
          },
        }
      : {},
  );
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('broker has no TCP address');
  let stopped = false;
  return {
    port: address.port,
    url: `mqtt://127.0.0.1:${address.port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
