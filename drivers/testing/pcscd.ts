import { execFileSync } from 'node:child_process';
import { PCSCD_SOCKET, pcscdAnswers } from '../card-reader/pcscd-probe.ts';
import { fileURLToPath } from 'node:url';

const START_SCRIPT = fileURLToPath(new URL('../../scripts/services/start-pcscd.sh', import.meta.url));

/**
 * Makes sure the real pcscd runs for a PC/SC test (the project's start script is idempotent; pcscd started with
 * --auto-exit may have quit since CI started it). Throws with what to do when it cannot.
 */
export async function ensurePcscd(): Promise<void> {
  if (await pcscdAnswers()) return;
  try {
    execFileSync('bash', [START_SCRIPT], { stdio: 'pipe', timeout: 15_000 });
  } catch (error) {
    throw new Error(`could not start pcscd with ${START_SCRIPT}: ${(error as Error).message}`);
  }
  for (let i = 0; i < 50; i += 1) {
    if (await pcscdAnswers()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `pcscd is not running (no answer on ${PCSCD_SOCKET}). Install pcscd + vsmartcard-vpcd + libpcsclite-dev and run scripts/services/start-pcscd.sh`,
  );
}
