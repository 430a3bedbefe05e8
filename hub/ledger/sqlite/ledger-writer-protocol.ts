/**
 * The messages between the hub's thread and the ledger's writer thread (ledger-writer-thread.ts,
 * ledger-writer-worker.ts). Everything in them is plain data: it crosses by structured clone, which keeps neither
 * classes nor an error's own fields, so errors travel as their name, message and code and are made again here.
 */
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { HqApplyOptions, HqTransactionBody, ReceivedTransaction } from '../ledger-store.ts';
import type { BatchFleetFacts } from './batch-fleet-facts.ts';
import { CodedError, isCodedError } from '../../../core/errors/coded-error.ts';
import type { ErrorCode } from '../../../core/errors/codes.ts';

export interface WriterThreadData {
  path: string;
  logLevel: string;
  fallbackBundle: RulesBundle;
  /** Whether the hub answers snapshot rules at all (without, the write port uses the versions transactions name). */
  hasSnapshotRules: boolean;
}

/** `fresh`: the hub's thread wrote batches since the thread's last one: what the thread cached of sequences is stale. */
export type WriterRequest =
  | { type: 'batch'; id: number; batch: ReceivedTransaction[]; facts: BatchFleetFacts; fresh: boolean }
  | { type: 'hq'; id: number; bodies: HqTransactionBody[]; options: HqApplyOptions; facts: BatchFleetFacts; fresh: boolean }
  /** A rules bundle was saved on the hub's thread: the thread's cached bundles and latest policy are stale. */
  | { type: 'rules-changed' }
  | { type: 'close'; id: number };

export interface ThreadError {
  name: string;
  message: string;
  code?: string;
  coded: boolean;
}

export type WriterAnswer =
  | { type: 'ready' }
  | { type: 'start-failed'; error: ThreadError }
  | { type: 'done'; id: number; results: TxResult[] }
  | { type: 'failed'; id: number; error: ThreadError }
  /** One pino line of the thread's logger (JSON). */
  | { type: 'log'; line: string };

export function describeThreadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), coded: false };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), coded: isCodedError(error) };
}

/** The error again, on the hub's thread: a CodedError stays one; another keeps its name and code (SQLITE_FULL, say). */
export function errorFromThread(error: ThreadError): Error {
  if (error.coded && error.code !== undefined) return new CodedError(error.code as ErrorCode, error.message);
  const made = new Error(error.message);
  made.name = error.name;
  if (error.code !== undefined) Object.assign(made, { code: error.code });
  return made;
}
