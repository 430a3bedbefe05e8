import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { caSha256Of, ensureHubCa, ensureHubTls } from './hub-tls.ts';

describe('the hub’s own CA and server certificate', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-pki-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('makes a CA once (keys 0600) and a server certificate a TLS client verifies against it for the configured names', async () => {
    const dataDir = tempDir();
    const tls = await ensureHubTls(dataDir, ['hub.store.example']);
    expect(statSync(join(dataDir, 'tls', 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'tls', 'server.key')).mode & 0o777).toBe(0o600);
    expect(tls.caSha256).toBe(caSha256Of(readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8')));
    expect(new X509Certificate(tls.caPem).ca).toBe(true);
    // Same CA on the next start (every code and kiosk pins it); the server certificate is reused too.
    const again = await ensureHubTls(dataDir, ['hub.store.example']);
    expect(again.caSha256).toBe(tls.caSha256);
    expect(again.certChainPem).toBe(tls.certChainPem);
    // Another name: a new server certificate from the same CA.
    const renamed = await ensureHubTls(dataDir, ['hub2.store.example']);
    expect(renamed.caSha256).toBe(tls.caSha256);
    expect(renamed.certChainPem).not.toBe(tls.certChainPem);
    expect((await ensureHubCa(dataDir)).caSha256).toBe(tls.caSha256);

    const server = createServer({ key: renamed.keyPem, cert: renamed.certChainPem }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const read = (servername: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername, ca: renamed.caPem }, () => socket.once('data', (d: Buffer) => resolve(d.toString())));
        socket.once('error', reject);
      });
    try {
      expect(await read('hub2.store.example')).toBe('hello');
      expect(await read('localhost')).toBe('hello');
      await expect(read('elsewhere.example')).rejects.toThrow(/altnames|Hostname/);
    } finally {
      server.close();
    }
  });

  it('uses a chain’s own certificate instead, and refuses a key that does not match', async () => {
    const a = tempDir();
    const b = tempDir();
    await ensureHubTls(a, []);
    await ensureHubTls(b, []);
    const own = { certFile: join(a, 'tls', 'server.crt'), keyFile: join(a, 'tls', 'server.key'), caFile: join(a, 'tls', 'ca.crt') };
    const tls = await ensureHubTls(tempDir(), [], own);
    expect(tls.caSha256).toBe(caSha256Of(readFileSync(own.caFile, 'utf8')));
    await expect(ensureHubTls(tempDir(), [], { ...own, keyFile: join(b, 'tls', 'server.key') })).rejects.toMatchObject({ code: 'TLS_CONFIG_INVALID' });
  });
});
