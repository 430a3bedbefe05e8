import { describe, expect, it } from 'vitest';
import { createHub } from './main.ts';

describe('plain listeners', () => {
  it('are refused anywhere but loopback: kiosks and browsers on the network use the TLS listeners', () => {
    expect(() => createHub({ dataDir: '/nonexistent', broker: { mode: 'embedded', host: '0.0.0.0', port: 0 } })).toThrow(expect.objectContaining({ code: 'PLAIN_LISTENER_NOT_LOOPBACK' }));
    expect(() => createHub({ dataDir: '/nonexistent', broker: { mode: 'embedded', host: '127.0.0.1', port: 0 }, http: { host: '192.168.1.10', port: 0 } })).toThrow(
      expect.objectContaining({ code: 'PLAIN_LISTENER_NOT_LOOPBACK' }),
    );
    // Constructors do no I/O: a loopback hub on a directory that does not exist is built without touching it.
    expect(createHub({ dataDir: '/nonexistent', broker: { mode: 'embedded', host: '127.0.0.1', port: 0 }, http: { host: 'localhost', port: 0 } }).fleet).toBeDefined();
  });
});
