/**
 * The parent's side of the load-generator processes (kiosk-load-generator.ts): forks them, deals the kiosks out
 * among them, waits until every kiosk of every process is connected, then starts the load in all of them at one
 * wall-clock moment and gathers what they measured.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GeneratorAnswer, GeneratorDone, KioskLogin, LoadPlan } from './load-plan.ts';

const ENTRY = fileURLToPath(new URL('./kiosk-load-generator.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface LoadGenerators {
  pids: number[];
  /** How long connecting every kiosk took (the slowest process). */
  connectMs: number;
  /** Runs a plan in every process at once (starting `leadMs` from now) and answers each process's measurements. */
  run(plan: LoadPlan, leadMs?: number): Promise<GeneratorDone[]>;
  stop(): Promise<void>;
}

class Generator {
  private waiting: ((answer: GeneratorAnswer) => void) | null = null;
  private exitError: Error | null = null;

  constructor(readonly child: ChildProcess) {
    child.on('message', (answer: GeneratorAnswer) => {
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.(answer);
    });
    child.once('exit', (code, signal) => {
      this.exitError = new Error(`a load generator exited (${code ?? signal})`);
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.({ type: 'failed', message: this.exitError.message });
    });
  }

  ask<T extends GeneratorAnswer['type']>(message: unknown, expect: T, timeoutMs: number): Promise<Extract<GeneratorAnswer, { type: T }>> {
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a load generator did not answer ${expect} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (answer) => {
        clearTimeout(timer);
        if (answer.type === expect) resolve(answer as Extract<GeneratorAnswer, { type: T }>);
        else reject(new Error(answer.type === 'failed' ? answer.message : `a load generator answered ${answer.type}, not ${expect}`));
      };
      this.child.send(message as object);
    });
  }
}

export async function startLoadGenerators(options: { processes: number; url: string; caPem: string; kiosks: KioskLogin[]; cards: string[]; window: number; connectGroup?: number }): Promise<LoadGenerators> {
  const generators = Array.from({ length: options.processes }, () => new Generator(fork(ENTRY, [], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
  const stop = async () => {
    await Promise.all(
      generators.map(async (g) => {
        if (g.child.exitCode !== null || g.child.signalCode !== null) return;
        const exited = new Promise((resolve) => g.child.once('exit', resolve));
        g.child.send({ type: 'stop' });
        const timer = setTimeout(() => g.child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  };
  try {
    // Dealt round-robin so every process holds kiosks of every part of the fleet.
    const shares = generators.map((_, p) => options.kiosks.filter((_, i) => i % options.processes === p));
    const connected = await Promise.all(
      generators.map((g, p) =>
        g.ask({ type: 'setup', url: options.url, caPem: options.caPem, kiosks: shares[p], cards: options.cards, window: options.window, connectGroup: options.connectGroup ?? 50 }, 'connected', 600_000),
      ),
    );
    return {
      pids: generators.map((g) => g.child.pid!),
      connectMs: Math.max(...connected.map((c) => c.ms)),
      async run(plan, leadMs = 2_000) {
        // startAt is when the timed part begins: a warm-up runs before it.
        const warmupMs = plan.kind === 'paced' ? (plan.warmupSeconds ?? 0) * 1_000 : 0;
        const startAt = Date.now() + leadMs + warmupMs;
        return Promise.all(generators.map((g) => g.ask({ type: 'go', plan, startAt }, 'done', leadMs + warmupMs + plan.seconds * 1_000 + plan.drainWaitMs + 120_000)));
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
