/**
 * The hub configuration's `metrics` section: who may scrape GET /metrics over TLS, and the name this hub process
 * goes by in every series it exports.
 *
 * - `token`: the bearer token Prometheus sends on the TLS listener (`Authorization: Bearer …`). Null: the TLS
 *   listener serves no metrics to anyone — they tell a chain's volumes per hub, which is no one else's business.
 *   The plain listener (loopback only) serves them without one. MEMBERKIOSK_METRICS_TOKEN gives it when the
 *   configuration does not (metricsConfigFromEnvironment), so it need not be written in a file or on a command line.
 * - `hubId`: the `hubId` label on every series, so several hub workers scraped into one Prometheus are told apart.
 *   Default MEMBERKIOSK_HUB_ID, else the host name (one worker per host or container).
 */
import { hostname } from 'node:os';
import { z } from 'zod';

export const METRICS_TOKEN_ENV = 'MEMBERKIOSK_METRICS_TOKEN';
export const HUB_ID_ENV = 'MEMBERKIOSK_HUB_ID';

export const metricsConfigSchema = z
  .object({
    // Long enough not to be guessed, like messaging.inboundToken.
    token: z.string().min(16).max(256).nullable().default(null),
    // A Prometheus label value may be anything; kept short and printable so dashboards and logs show it whole.
    hubId: z.string().regex(/^[\x21-\x7e]{1,64}$/, '1–64 printable ASCII characters, no spaces').optional(),
  })
  .default({ token: null });

export type MetricsConfigInput = z.input<typeof metricsConfigSchema>;

export interface MetricsSettings {
  token: string | null;
  hubId: string;
}

/** What the configuration leaves unset, from the environment: checked by the same schema as the file's. */
export function metricsConfigFromEnvironment(input: MetricsConfigInput | undefined, env: NodeJS.ProcessEnv = process.env): MetricsConfigInput {
  const token = input?.token ?? env[METRICS_TOKEN_ENV] ?? null;
  const hubId = input?.hubId ?? env[HUB_ID_ENV];
  return { token: token === '' ? null : token, ...(hubId ? { hubId } : {}) };
}

/** The parsed section with the host name filled in. */
export function metricsSettings(config: z.output<typeof metricsConfigSchema>): MetricsSettings {
  return { token: config.token, hubId: config.hubId ?? hostname() };
}
