/** The console web app's files at /console/: cache rules, the app's own routes, and a hub whose console is not built. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsoleAssets } from './console-assets.ts';

describe('console assets', () => {
  let dist: string;
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'mk-console-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'index-AbC123.js.br'), 'BROTLI');
  });
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  const appWith = (path: string) => {
    const app = Fastify();
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: request.url } }));
    registerConsoleAssets(app, { dist: path });
    app.get('/api/ping', async () => ({ ok: true }));
    return app;
  };

  it('serves index.html revalidated, hashed assets cached for a year, and the app for its own routes', async () => {
    const app = appWith(dist);
    const redirect = await app.inject('/console');
    expect({ status: redirect.statusCode, location: redirect.headers.location }).toEqual({ status: 301, location: '/console/' });
    for (const url of ['/console/', '/console/members/M0001', '/console/audit-log?actorId=x']) {
      const page = await app.inject(url);
      expect({ url, status: page.statusCode, type: page.headers['content-type'], cache: page.headers['cache-control'] }).toEqual({ url, status: 200, type: 'text/html; charset=utf-8', cache: 'no-cache' });
      expect(page.body).toContain('<div id="app">');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const asset = await app.inject('/console/assets/index-AbC123.js');
    expect({ status: asset.statusCode, cache: asset.headers['cache-control'] }).toEqual({ status: 200, cache: 'public, max-age=31536000, immutable' });
    const compressed = await app.inject({ url: '/console/assets/index-AbC123.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect({ status: compressed.statusCode, encoding: compressed.headers['content-encoding'], body: compressed.body }).toEqual({ status: 200, encoding: 'br', body: 'BROTLI' });
    const gone = await app.inject('/console/assets/index-OLD.js');
    expect({ status: gone.statusCode, code: gone.json().error.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect((await app.inject({ method: 'POST', url: '/console/members' })).statusCode).toBe(404);
    expect((await app.inject('/api/ping')).json()).toEqual({ ok: true });
    expect((await app.inject('/api/nothing')).statusCode).toBe(404);
    await app.close();
  });

  it('says the console is not built when its dist is missing', async () => {
    const app = appWith(join(dist, 'nowhere'));
    const res = await app.inject('/console/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('not built');
    await app.close();
  });
});
