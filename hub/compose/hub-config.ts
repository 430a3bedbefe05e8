/**
 * The hub's configuration: its schema (what `memberkiosk hub`, the demo and the tests may set) and how one input
 * becomes the frozen config createHub() builds from. Apart from hub/main.ts so the composition root reads as steps.
 */
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { DEFAULT_BASE_TOPIC } from '../../core/wire/topics.ts';
import { nodeRedConfigSchema } from '../../flows/runtime/node-red-config.ts';
import { hubDbSchema } from '../db/hub-db.ts';
import { messagingConfigSchema } from '../messaging/messaging-config.ts';
import { metricsConfigFromEnvironment, metricsConfigSchema } from '../metrics/metrics-config.ts';
import { requireWorkerBackends, workerConfigSchema } from '../workers/worker-config.ts';

export const hubConfigSchema = z.object({
  dataDir: z.string().min(1),
  /** The hub's database: SQLite in DATA/ledger.sqlite and DATA/fleet.sqlite (default), or PostgreSQL for the ledger and the fleet alike (hub/db/hub-db.ts). */
  db: hubDbSchema,
  /** Embedded aedes on this host/port, or an external broker URL. */
  broker: z.discriminatedUnion('mode', [
    z.object({
      mode: z.literal('embedded'),
      /** The plain listener: loopback only (the hub's own client, the demo, tests). */
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(1883),
      /** MQTT over TLS for kiosks; null: none. */
      tlsHost: z.string().default('127.0.0.1'),
      tlsPort: z.number().int().min(0).max(65535).nullable().default(null),
    }),
    /** `kioskUrl`: the broker as enrolled kiosks reach it (mqtts://…), told to them at enrolment. */
    /** `dynsecAdminUrl`: a Mosquitto dynamic-security admin login; kiosk accounts are then kept in step on enrol and revoke. */
    z.object({
      mode: z.literal('external'),
      url: z.string().url(),
      username: z.string().optional(),
      password: z.string().optional(),
      kioskUrl: z.string().url().optional(),
      dynsecAdminUrl: z.string().url().optional(),
      /** A PEM file of the CA that signed the broker's certificate, when it is neither the hub's own CA nor a public one. */
      caFile: z.string().optional(),
    }),
  ]),
  /** The plain console and API: loopback only. */
  http: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8800) }).nullable().default(null),
  /** Console, API and kiosk enrolment (POST /api/enrol) over TLS; null: none. */
  https: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8443) }).nullable().default(null),
  /** The hub's certificate: its own CA's (DATA/tls/) for loopback and these names, or a chain's own files. */
  tls: z
    .object({
      hostNames: z.array(z.string().min(1)).default([]),
      own: z.object({ certFile: z.string(), keyFile: z.string(), caFile: z.string() }).nullable().default(null),
    })
    .default({ hostNames: [], own: null }),
  baseTopic: z.string().regex(/^[A-Za-z0-9_-]+$/).default(DEFAULT_BASE_TOPIC),
  seedDemoData: z.boolean().default(false),
  /** With seedDemoData: publish the demo store's shop and receipt texts (hub/demo/seed-demo-config.ts) if it has none. `memberkiosk demo` does. */
  seedDemoConfig: z.boolean().default(false),
  /** With seedDemoData: the flows' demo — a member with a birthday today, the account flows act as, a technician login (hub/demo/seed-demo-data.ts). `memberkiosk demo` does. */
  seedDemoAutomation: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** SMS to members and the staff webhook for the hub's flows (hub/messaging/messaging-config.ts); all off by default. */
  messaging: messagingConfigSchema,
  /**
   * Node-RED (flows/): off unless switched on; the editor behind the console at /node-red/ for HQ admins and
   * technicians; `actAs`: the staff account (region manager or HQ admin, all stores) the flows' points grants are made by.
   */
  nodeRed: nodeRedConfigSchema
    .extend({ port: nodeRedConfigSchema.shape.port.unwrap().default(1881), actAs: z.string().min(1).max(64).optional() })
    .default({ enabled: false, host: '127.0.0.1', port: 1881, flows: [], heartbeatMs: 1_000, unresponsiveMs: 5_000, maxOldSpaceMb: 128, sessionHours: 8 }),
  /**
   * GET /metrics (hub/metrics/metrics-config.ts): `token` opens it on the TLS listener (MEMBERKIOSK_METRICS_TOKEN when
   * unset; the loopback listener needs none); `hubId` labels every series (MEMBERKIOSK_HUB_ID, else the host name).
   */
  metrics: metricsConfigSchema,
  /** One of several hub workers on one PostgreSQL and one external broker (hub/workers/worker-config.ts); null: the hub alone. */
  worker: workerConfigSchema,
});
export type HubConfig = z.input<typeof hubConfigSchema>;
export type ResolvedHubConfig = Readonly<z.output<typeof hubConfigSchema>>;

/**
 * The input checked and frozen: the metrics token and hub id from the environment when the input names none (a
 * worker's id labels its series), and a worker's back ends required to be shareable.
 */
export function resolveHubConfig(input: HubConfig): ResolvedHubConfig {
  const metricsInput = input.worker && !input.metrics?.hubId ? { ...input.metrics, hubId: input.worker.id } : input.metrics;
  const config = Object.freeze(hubConfigSchema.parse({ ...input, metrics: metricsConfigFromEnvironment(metricsInput) }));
  if (config.worker) requireWorkerBackends(config);
  return config;
}

/** Plain listeners carry secrets in clear: they may only listen where nothing but this machine reaches them. */
export function requirePlainListenersOnLoopback(config: ResolvedHubConfig): void {
  if (config.broker.mode === 'embedded') requireLoopback('MQTT', config.broker.host);
  if (config.http) requireLoopback('HTTP', config.http.host);
}

function requireLoopback(what: string, host: string): void {
  if (host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return;
  throw new CodedError('PLAIN_LISTENER_NOT_LOOPBACK', `the plain ${what} listener may only bind to loopback, not ${host}; kiosks and browsers on the network use the TLS listener`);
}
