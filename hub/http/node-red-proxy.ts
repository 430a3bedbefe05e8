/**
 * The hub's Node-RED editor behind the console's listeners, at /node-red/: the child serves it on loopback only, and
 * HQ reaches it here over the hub's TLS. Node-RED checks its own logins (HQ admins and technicians, by the hub's
 * staff accounts): the proxy adds no trust, it only carries requests and the editor's websocket.
 */
import type { FastifyInstance } from 'fastify';
import { errorAnswer } from '../../core/errors/error-answer.ts';

export const NODE_RED_PREFIX = '/node-red';

export interface NodeRedProxyDeps {
  /** The child's origin (http://127.0.0.1:port) while Node-RED runs; null while it is off or restarting. */
  upstream: () => string | null;
}

export function registerNodeRedProxy(app: FastifyInstance, deps: NodeRedProxyDeps): void {
  // Imported with the registration, not with the module: the proxy and its HTTP client take 0.3 s to load, and only
  // a hub that runs Node-RED needs them.
  void app.register(import('@fastify/http-proxy'), {
    // Resolved per request (getUpstream): a fixed upstream here would pin every request to it (reply-from's pool).
    upstream: '',
    prefix: NODE_RED_PREFIX,
    rewritePrefix: NODE_RED_PREFIX,
    websocket: true,
    replyOptions: { getUpstream: () => deps.upstream() ?? 'http://127.0.0.1:1' },
    preHandler: (_request, reply, done) => {
      if (deps.upstream() !== null) return done();
      // Node-RED restarting (or not started): a coded answer, not a proxy error.
      const answer = errorAnswer('NODE_RED_OFF', 'Node-RED is not running here just now');
      void reply.code(answer.status).send(answer.body);
    },
  });
}
