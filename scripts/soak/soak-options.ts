/**
 * What `memberkiosk soak` was asked for (scripts/commands/soak.ts parses it, run-soak.ts runs it). A file of its own
 * so that the command can name it without importing the soak, which the compiled build leaves out
 * (scripts/commands/from-sources.ts).
 */
export interface SoakOptions {
  /** SIGKILLs each process gets at least. */
  kills: number;
  /** Requests per second over all tills. */
  rate: number;
  tills: number;
  kiosks: number;
  brokerRestarts: number;
  seed: number;
  /** How long the drain may take (every kiosk connected with an empty outbox). */
  drainTimeoutMs: number;
  /** Keep the work dir even when every check passed. */
  keepWorkDir: boolean;
  /** Merge the two soak rows into bench/results.json. */
  writeBench: boolean;
}
