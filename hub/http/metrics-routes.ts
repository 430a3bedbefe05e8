/**
 * `GET /metrics`: the hub's metrics in Prometheus' text format (hub/metrics/hub-metrics.ts).
 *
 * | listener | who may scrape |
 * | --- | --- |
 * | the plain one (loopback only) | anyone on this machine: a Prometheus or an agent beside the hub |
 * | the TLS one | only with `Authorization: Bearer <metrics.token>` (or MEMBERKIOSK_METRICS_TOKEN); no token configured: nobody |
 *
 * The metrics tell a chain's volumes, refusals and fleet per hub: not for whoever reaches the store network. A staff
 * session does not open them either — Prometheus has no staff account, and a console login is no scrape credential.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CodedError } from '../../core/errors/coded-error.ts';

export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsRoutesDeps {
  metrics: { text(): Promise<string> };
  /** `open`: the plain loopback listener; otherwise the bearer token a scrape must carry (null: none configured, all refused). */
  access: { open: true } | { token: string | null };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Compared through their hashes: equal lengths for timingSafeEqual, and no early exit on the first differing byte. */
function carriesToken(request: FastifyRequest, expected: string): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return timingSafeEqual(sha256(header.slice('Bearer '.length).trim()), sha256(expected));
}

export function registerMetricsRoutes(app: FastifyInstance, deps: MetricsRoutesDeps): void {
  const { access } = deps;
  app.get('/metrics', async (request, reply) => {
    if (!('open' in access)) {
      if (access.token === null) throw new CodedError('AUTH_REQUIRED', 'metrics are served over TLS only to a scraper with the token configured as metrics.token (or MEMBERKIOSK_METRICS_TOKEN); none is');
      if (!carriesToken(request, access.token)) throw new CodedError('AUTH_REQUIRED', 'the metrics token is missing or wrong');
    }
    return reply.type(PROMETHEUS_TEXT).header('cache-control', 'no-store').send(await deps.metrics.text());
  });
}
