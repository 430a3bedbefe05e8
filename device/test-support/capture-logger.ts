/** A pino logger that keeps its records in memory, so tests can assert what was logged (codes, masking). */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export interface CapturedLogger {
  logger: Logger;
  records: Record<string, unknown>[];
  withCode(code: string): Record<string, unknown>[];
}

export function createCaptureLogger(): CapturedLogger {
  const records: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) records.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  return { logger, records, withCode: (code) => records.filter((r) => r.code === code) };
}
