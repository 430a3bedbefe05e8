import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

export const PCSCD_SOCKET = process.env.PCSCLITE_CSOCK_NAME ?? '/run/pcscd/pcscd.comm';

/**
 * Whether pcscd accepts connections on its socket. Checked before libpcsclite is touched: without a daemon,
 * its context call blocks the whole event loop (measured: the process hangs), which would freeze the kiosk.
 */
export function pcscdAnswers(socketPath = PCSCD_SOCKET, timeoutMs = 1_000): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
