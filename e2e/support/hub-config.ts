/**
 * HQ publishes signed configuration on a test hub the way an admin does: logged in to the hub's HTTPS API as the
 * demo HQ admin, POST /api/config (scope + content). The hub signs it and sends every kiosk it reaches a new
 * snapshot; the kiosk checks it against the root it pinned at enrolment (device/config).
 */
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD } from '../../hub/demo/seed-demo-data.ts';
import { hubHttps } from '../../hub/testing/hub-https.ts';
import type { TestHub } from '../../hub/testing/start-test-hub.ts';

/** `scope`: global, region:R, store:S or kiosk:K; `content`: a configuration bundle's content (core/config/config-content.ts). */
export async function publishConfig(env: TestHub, scope: string, content: unknown): Promise<{ scope: string; version: number; kiosks: string[] }> {
  const login = await hubHttps(env, 'POST', '/api/login', { body: { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD } });
  const token = login.body.token;
  if (typeof token !== 'string') throw new Error(`hub login answered ${login.status}: ${JSON.stringify(login.body)}`);
  const published = await hubHttps(env, 'POST', '/api/config', { body: { scope, content }, token });
  if (published.status !== 201) throw new Error(`publishing ${scope} answered ${published.status}: ${JSON.stringify(published.body)}`);
  return published.body as unknown as { scope: string; version: number; kiosks: string[] };
}
