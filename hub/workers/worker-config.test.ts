import { describe, expect, it } from 'vitest';
import { createHub } from '../main.ts';

const external = { mode: 'external' as const, url: 'mqtt://hub:secret@127.0.0.1:1883' };
const postgres = { kind: 'postgres' as const, url: 'postgres://memberkiosk@127.0.0.1:5432/memberkiosk' };

describe('worker mode', () => {
  it('is refused on the SQLite ledger and on the embedded broker: workers share both', () => {
    expect(() => createHub({ dataDir: '/nonexistent', broker: external, worker: { id: 'w1' } })).toThrow(expect.objectContaining({ code: 'WORKER_NEEDS_POSTGRES' }));
    expect(() => createHub({ dataDir: '/nonexistent', db: postgres, broker: { mode: 'embedded', host: '127.0.0.1', port: 0 }, worker: { id: 'w1' } })).toThrow(
      expect.objectContaining({ code: 'WORKER_NEEDS_EXTERNAL_BROKER' }),
    );
    // An id that could not be a topic level or a client id suffix.
    expect(() => createHub({ dataDir: '/nonexistent', db: postgres, broker: external, worker: { id: 'w/1' } })).toThrow(/worker\.id|letters, digits/);
    expect(() => createHub({ dataDir: '/nonexistent', db: postgres, broker: external, worker: { id: '' } })).toThrow();
    // On PostgreSQL and an external broker it is built (constructors do no I/O), its metrics named after the worker.
    expect(createHub({ dataDir: '/nonexistent', db: postgres, broker: external, worker: { id: 'hub-2' } }).fleet).toBeDefined();
  });

});
