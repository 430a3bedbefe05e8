/**
 * A request to a test hub's HTTPS API that trusts only the hub's own CA, as a kiosk pins it: the tests' and the
 * benchmarks' one way to call the console API over TLS.
 */
import { request as httpsRequest } from 'node:https';
import type { TestHub } from './start-test-hub.ts';

export function hubHttps(env: Pick<TestHub, 'httpsUrl' | 'caPem'>, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpsRequest(
      new URL(path, env.httpsUrl!),
      { method, ca: env.caPem, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
