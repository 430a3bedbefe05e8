/**
 * A TCP port nobody listens on right now: bind port 0, read what the kernel chose, release it. The e2e tests
 * need the number before anything listens (a hub that must come back on the same port after a SIGKILL, a
 * kiosk started while its hub is still down), so the kernel's own port-0 choice at listen time is not enough.
 */
import { createServer } from 'node:net';

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** COUNT different free ports (two calls of findFreePort may return the same one once it is released). */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}
