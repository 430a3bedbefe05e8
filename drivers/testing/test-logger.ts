import { pino, type Logger } from 'pino';

/** Silent unless MK_TEST_LOG=debug (or another pino level) is set, so a failing driver test can be re-run with its logs. */
export function testLogger(): Logger {
  return pino({ level: process.env.MK_TEST_LOG ?? 'silent' });
}
