/**
 * The kiosk screen web app (device/screen/, built by scripts/screen/build-screen.ts into device/screen/dist)
 * served at /. Files the build names by content hash (assets/) are cached for a year; index.html is revalidated
 * every time, so a rebuilt screen is picked up on the next load (the screen reloads itself when the kiosk
 * restarts with a new build: kiosk/stream.ts). Served by the kiosk itself, never a CDN: kiosks are often offline.
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { repositoryPath } from '../../core/paths/repository-path.ts';

/** In the repository, also for the compiled kiosk (dist/): only the code is compiled. */
export const SCREEN_DIST = repositoryPath('device', 'screen', 'dist');

const HTML_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Vue sets inline style attributes (widths of progress bars); scripts come only from the kiosk.
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'",
};

export function registerScreenAssets(app: FastifyInstance, options: { dist?: string } = {}): void {
  const dist = options.dist ?? SCREEN_DIST;
  if (!existsSync(`${dist}/index.html`)) {
    // The kiosk commands build it before they start (scripts/screen/ensure-screen-built.ts): only a kiosk started
    // some other way gets here.
    app.get('/', async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The kiosk screen is not built: `memberkiosk device` and `npm start` build it (device/screen/dist).\n'),
    );
    return;
  }
  void app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    index: ['index.html'],
    cacheControl: false,
    wildcard: false,
    preCompressed: true,
    setHeaders(reply, path) {
      if (/[\\/]assets[\\/]/.test(path)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      else reply.headers(HTML_HEADERS);
    },
  });
}
