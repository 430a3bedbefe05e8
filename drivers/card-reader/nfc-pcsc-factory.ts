import { createRequire } from 'node:module';
import { DriverError } from '../driver-error.ts';
import type { NfcFactory, NfcLike } from './nfc-pcsc-types.ts';
import { PCSCD_SOCKET, pcscdAnswers } from './pcscd-probe.ts';

/**
 * nfc-pcsc is an optional dependency (a native addon that needs libpcsclite): load it only when a PC/SC
 * reader is configured, and say clearly what is missing when it is not there.
 */
export const createRealNfc: NfcFactory = async () => {
  if (!(await pcscdAnswers())) {
    throw new DriverError('DRIVER_PCSC_UNAVAILABLE', `pcscd does not answer on ${PCSCD_SOCKET}`);
  }
  const require = createRequire(import.meta.url);
  let NFC: new () => NfcLike;
  try {
    ({ NFC } = require('nfc-pcsc') as { NFC: new () => NfcLike });
  } catch (error) {
    // Node's "Cannot find module" message goes on with its whole require stack, one line per file: the first
    // line says what is missing, and this message ends up on one line of `drivers list` and in health reports.
    const reason = String((error as Error)?.message ?? error).split('\n')[0];
    throw new DriverError('DRIVER_PCSC_UNAVAILABLE', `nfc-pcsc cannot be loaded (installed without libpcsclite-dev?): ${reason}`, undefined, { cause: error });
  }
  return new NFC();
};
