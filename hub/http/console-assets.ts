/**
 * The HQ console web app (console/, built by scripts/console/build-console.ts into console/dist) served at
 * /console/. Files the build names by content hash (assets/) are cached for a year; index.html is revalidated
 * every time, so a rebuilt console is picked up on the next load. Any other GET under /console/ is the app's own
 * route (/console/members/M0001): answered with index.html, and the app's router shows the page.
 *
 * The files are served from the hub itself, never a CDN: hubs and kiosks may have no internet.
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { errorAnswer } from '../../core/errors/error-answer.ts';
import { repositoryPath } from '../../core/paths/repository-path.ts';

/** In the repository, also for the compiled hub (dist/): only the code is compiled. */
export const CONSOLE_DIST = repositoryPath('console', 'dist');

const HTML_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // Element Plus sets inline style attributes; scripts come only from the hub.
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'",
};

export function registerConsoleAssets(app: FastifyInstance, options: { dist?: string } = {}): void {
  const dist = options.dist ?? CONSOLE_DIST;
  app.get('/console', async (_request, reply) => reply.redirect('/console/', 301));
  if (!existsSync(`${dist}/index.html`)) {
    // The hub commands build it before they start (scripts/console/ensure-console-built.ts): only a hub started
    // some other way gets here.
    app.get('/console/*', async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: `memberkiosk hub` and `npm start` build it (console/dist).\n'),
    );
    return;
  }
  void app.register(
    async (scope) => {
      await scope.register(fastifyStatic, {
        root: dist,
        prefix: '/',
        index: ['index.html'],
        cacheControl: false,
        // The build writes .br and .gz beside each script and style (scripts/console/build-console.ts).
        preCompressed: true,
        setHeaders(reply, path) {
          if (/[\\/]assets[\\/]/.test(path)) reply.header('cache-control', 'public, max-age=31536000, immutable');
          else reply.headers(HTML_HEADERS);
        },
      });
      scope.setNotFoundHandler(async (request, reply) => {
        const path = request.url.split('?')[0] ?? '';
        // A missing hashed file is a 404, not the app (a stale page asking for an old build's chunk).
        if ((request.method !== 'GET' && request.method !== 'HEAD') || path.startsWith('/console/assets/')) {
          const answer = errorAnswer('NOT_FOUND', `no route ${request.method} ${request.url}`);
          return reply.code(answer.status).send(answer.body);
        }
        return reply.headers(HTML_HEADERS).sendFile('index.html');
      });
    },
    { prefix: '/console' },
  );
}
