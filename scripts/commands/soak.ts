/**
 * `memberkiosk soak` (npm run soak): the crash-loop soak. A real Mosquitto, the hub and the kiosk(s) as real
 * processes SIGKILLed at random under a paced load with Idempotency-Keys, then drained and checked from the
 * files (scripts/soak/). Not part of `npm test`: it takes minutes.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import type { SoakOptions } from '../soak/soak-options.ts';
import { importFromSources } from './from-sources.ts';

const USAGE = `usage: memberkiosk soak [--kills N] [--rate R] [--tills N] [--kiosks N] [--broker-restarts N] [--seed S]
                        [--drain-timeout SECONDS] [--keep] [--no-bench]
  SIGKILLs the hub and the kiosk(s) at random (every 0.7-3 s, back after 0.2-2 s on the same data and ports) and
  restarts Mosquitto while tills buy and top up through the kiosk API (tapping each card on the kiosk's simulated
  reader first; top-ups under a staff session, postponed while nobody can sign in; the kiosks stand attended, so
  they take cash), each request with its own Idempotency-Key and retried with it when cut off; then drains, stops everything with SIGTERM and checks from the outbox and
  ledger files that every accepted transaction was applied exactly once, seqs are gapless per epoch, balances
  follow from the applied transactions, and memberkiosk audit is clean. About 2-4 minutes with the defaults.
  --kills            SIGKILLs of each process at least; default 22
  --rate             requests per second over all tills; default 15
  --tills            concurrent tills; default 4
  --kiosks           kiosks (each killed --kills times); default 1
  --broker-restarts  Mosquitto restarts during the run; default 2
  --seed             seed of the random schedule (printed by every run); default random
  --drain-timeout    seconds the drain may take; default 60
  --keep             keep the work dir (data and logs under the OS temp dir) even when every check passed
  --no-bench         do not merge the 'soak kills' and 'soak lost or doubled' rows into bench/results.json
exit codes: 0 every check passed and every process was killed --kills times, 1 a check failed, 2 bad options,
            130 interrupted (Ctrl-C: every process is killed, the work dir kept)
`;

class BadFlag extends Error {}

function integerFlag(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new BadFlag(`${flag} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got '${text}'`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('soak', USAGE, {
    args,
    options: {
      kills: { type: 'string', default: '22' },
      rate: { type: 'string', default: '15' },
      tills: { type: 'string', default: '4' },
      kiosks: { type: 'string', default: '1' },
      'broker-restarts': { type: 'string', default: '2' },
      seed: { type: 'string' },
      'drain-timeout': { type: 'string', default: '60' },
      keep: { type: 'boolean', default: false },
      'no-bench': { type: 'boolean', default: false },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  let options: SoakOptions;
  try {
    const rate = Number(values.rate);
    if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) throw new BadFlag(`--rate must be requests per second in (0, 1000], got '${values.rate}'`);
    options = {
      kills: integerFlag(values.kills, '--kills', 1),
      rate,
      tills: integerFlag(values.tills, '--tills', 1, 64),
      kiosks: integerFlag(values.kiosks, '--kiosks', 1, 8),
      brokerRestarts: integerFlag(values['broker-restarts'], '--broker-restarts', 0, 100),
      seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : integerFlag(values.seed, '--seed', 0, 2 ** 32 - 1),
      drainTimeoutMs: integerFlag(values['drain-timeout'], '--drain-timeout', 1, 3600) * 1000,
      keepWorkDir: values.keep,
      writeBench: !values['no-bench'],
    };
  } catch (error) {
    if (error instanceof BadFlag) return usageError('soak', USAGE, error.message);
    throw error;
  }

  // Loaded only now, so --help and bad flags are answered without loading SQLite or the soak.
  const soak = await importFromSources<{ runSoak: (opts: SoakOptions, signal: AbortSignal) => Promise<number> }>('../soak/run-soak.ts', import.meta.url, 'soak');
  if (!soak) return 1;
  const { runSoak } = soak;
  const controller = new AbortController();
  let firstSignalAt: number | null = null;
  const onSignal = () => {
    // Ctrl-C under `npm run` arrives twice at once (from the terminal and forwarded by npm): only a second one
    // a moment later means "leave now" (the soak's exit hook still SIGKILLs every child it started).
    if (firstSignalAt !== null) {
      if (Date.now() - firstSignalAt > 1_000) process.exit(130);
      return;
    }
    firstSignalAt = Date.now();
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runSoak(options, controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
