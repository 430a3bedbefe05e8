/**
 * The chaos schedule: at random moments SIGKILL the hub or a kiosk, start it again after a random pause on the
 * same data dir and ports, and restart the broker once or twice along the way, until every process has been
 * killed at least `killsEach` times. Kills may overlap (the hub can die while a kiosk is still down); a process
 * is only killed once it is up again (printed its ready line), so every kill lands on a serving process.
 */
import type { ManagedBroker, ManagedProcess } from './processes.ts';
import type { Random } from './random.ts';

export interface ChaosOptions {
  /** Every process gets at least this many SIGKILLs. */
  killsEach: number;
  brokerRestarts: number;
  /** Pause between two chaos events, ms. */
  gapMs: readonly [number, number];
  /** How long a killed process stays down, ms. */
  downMs: readonly [number, number];
  random: Random;
  /** One line per event, for the soak's own output. */
  say: (line: string) => void;
  /** Called (not awaited) right after each SIGKILL, with the victim's name and how long it will stay down. */
  afterKill?: (name: string, downMs: number) => Promise<void>;
}

export interface ChaosEvent {
  at: string;
  what: 'kill' | 'restart' | 'broker_restart' | 'restart_failed';
  name: string;
  pid?: number | null;
  detail?: string;
}

/**
 * The victim for the next kill: among the processes that are up, one of those killed least so far (so each
 * reaches the target about together), at random among equals. Null when nothing is up.
 */
export function pickVictim<T extends { name: string; kills: number; up: boolean }>(candidates: readonly T[], random: Random): T | null {
  const up = candidates.filter((c) => c.up);
  if (up.length === 0) return null;
  const fewest = Math.min(...up.map((c) => c.kills));
  // Least-killed first, but not strictly alternating: one kill ahead is still a candidate, so the order varies.
  const pool = up.filter((c) => c.kills <= fewest + 1);
  const behind = pool.filter((c) => c.kills === fewest);
  return random.next() < 0.75 ? random.pick(behind) : random.pick(pool);
}

/**
 * Total kills after which each broker restart is due: spread evenly through the run, e.g. 2 restarts over 44
 * kills at 15 and 29.
 */
export function brokerRestartPoints(totalKills: number, restarts: number): number[] {
  return Array.from({ length: restarts }, (_, i) => Math.max(1, Math.floor((totalKills * (i + 1)) / (restarts + 1))));
}

export class ChaosMonkey {
  readonly events: ChaosEvent[] = [];
  private readonly restarts = new Set<Promise<void>>();
  private stopped = false;
  private failure: Error | null = null;

  constructor(
    private readonly processes: ManagedProcess[],
    private readonly broker: ManagedBroker,
    private readonly opts: ChaosOptions,
  ) {}

  private log(event: Omit<ChaosEvent, 'at'>): void {
    const full = { at: new Date().toISOString(), ...event };
    this.events.push(full);
  }

  /** Stops at the next event (SIGINT). */
  stop(): void {
    this.stopped = true;
  }

  /** Runs until every process has its kills and the broker its restarts; resolves once everything killed is back up. */
  async run(): Promise<void> {
    const { random, killsEach } = this.opts;
    const restartAt = brokerRestartPoints(killsEach * this.processes.length, this.opts.brokerRestarts);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const totalKills = () => this.processes.reduce((n, p) => n + p.killCount, 0);
    while (!this.stopped && !this.failure) {
      const done = this.processes.every((p) => p.killCount >= killsEach) && this.broker.restartCount >= restartAt.length;
      if (done) break;
      await sleep(random.between(this.opts.gapMs[0], this.opts.gapMs[1]));
      if (this.stopped || this.failure) break;
      const brokerDue = restartAt[this.broker.restartCount];
      if (brokerDue !== undefined && totalKills() >= brokerDue) {
        const down = random.between(this.opts.downMs[0], this.opts.downMs[1]);
        this.opts.say(`chaos: restarting mosquitto (down ${Math.round(down)} ms)`);
        await this.broker.restart(down);
        this.log({ what: 'broker_restart', name: 'mosquitto', detail: `down ${Math.round(down)} ms` });
        continue;
      }
      const victim = pickVictim(
        this.processes.map((p) => ({ name: p.spec.name, kills: p.killCount, up: p.isUp, process: p })),
        random,
      );
      if (!victim) continue;
      const target = victim.process;
      const pid = target.pid;
      await target.kill('SIGKILL', true);
      const down = random.between(this.opts.downMs[0], this.opts.downMs[1]);
      this.log({ what: 'kill', name: target.spec.name, pid, detail: `kill #${target.killCount}, down ${Math.round(down)} ms` });
      this.opts.say(`chaos: SIGKILL ${target.spec.name} (pid ${pid}) #${target.killCount}, back in ${Math.round(down)} ms`);
      const watching = this.opts.afterKill?.(target.spec.name, down).catch(() => undefined);
      const restart = Promise.all([sleep(down), watching])
        .then(() => this.restart(target))
        .finally(() => this.restarts.delete(restart));
      this.restarts.add(restart);
    }
    await Promise.all([...this.restarts]);
    if (this.failure) throw this.failure;
  }

  /** Starts a killed process again; a second failure in a row ends the soak (the process will not come back). */
  private async restart(target: ManagedProcess): Promise<void> {
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      if (this.stopped) return;
      try {
        await target.start();
        this.log({ what: 'restart', name: target.spec.name, pid: target.pid });
        return;
      } catch (error) {
        if (this.stopped) return;
        this.log({ what: 'restart_failed', name: target.spec.name, detail: (error as Error).message });
        this.opts.say(`chaos: ${target.spec.name} did not come back (attempt ${attempt}): ${(error as Error).message}`);
      }
    }
    this.failure = new Error(`${target.spec.name} could not be restarted; see its log`);
  }
}
