/**
 * The hub configuration's `worker` section: this process is one of several hub workers on one PostgreSQL database
 * behind one external MQTT 5 broker (docs/ARCHITECTURE.md, "Several hub workers"). Null (the default): the hub runs
 * alone, as it always did.
 *
 * - `id`: this worker's name — its MQTT client id (`memberkiosk-hub-{id}`, so it must be unique among the workers and
 *   the same across restarts: a second process with the same id would take the first one's connection over), its
 *   availability topic and, unless the metrics section names one, its metrics label and database application name.
 * - `group`: the shared subscription group the workers of one chain join (`$share/{group}/…`): each kiosk message
 *   goes to one worker of the group.
 */
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';

/** Used in topics and client ids: no MQTT wildcards, separators or spaces. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const workerConfigSchema = z
  .object({
    id: z.string().regex(NAME, '1–64 letters, digits, - or _'),
    group: z.string().regex(NAME, '1–64 letters, digits, - or _').default('memberkiosk-hub'),
  })
  .nullable()
  .default(null);

export type WorkerConfig = NonNullable<z.output<typeof workerConfigSchema>>;

/** The MQTT client id of a worker's own connection: stable across restarts, distinct per worker. */
export const workerClientId = (worker: WorkerConfig) => `memberkiosk-hub-${worker.id}`;

/**
 * Worker mode shares the ledger and the broker, so both must be shareable: the SQLite ledger is one process's
 * file, and the embedded aedes is inside one process and has no shared subscriptions.
 */
export function requireWorkerBackends(config: { db: { kind: string }; broker: { mode: string } }): void {
  if (config.db.kind !== 'postgres') throw new CodedError('WORKER_NEEDS_POSTGRES', 'a hub worker needs the ledger on PostgreSQL (--db postgres://…): the SQLite ledger belongs to one process');
  if (config.broker.mode !== 'external') throw new CodedError('WORKER_NEEDS_EXTERNAL_BROKER', 'a hub worker needs an external MQTT 5 broker (--broker mqtt(s)://…, Mosquitto 2): the embedded broker has no shared subscriptions');
}
