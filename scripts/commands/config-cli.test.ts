import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptConfigSet } from '../../core/config/accept-config-set.ts';
import { ConfigKiosk } from '../../hub/config/test-support/config-kiosk.ts';
import { DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { enrolForTest } from '../../hub/testing/enrol-for-test.ts';
import { startTestHub } from '../../hub/testing/start-test-hub.ts';
import { memberkiosk, memberkioskAsync } from './test-support/run-memberkiosk.ts';

describe('memberkiosk keys sign-key and config publish|list (real processes)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mk-config-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the hub’s signing key certified by the installed root, rotates it, and refuses another root', () => {
    const hq = join(dir, 'hq');
    const hub = join(dir, 'hub');
    expect(memberkiosk('keys', 'init', '--out', hq)).toMatchObject({ code: 0 });
    const noRoot = memberkiosk('keys', 'sign-key', '--root-key', join(hq, 'hq-root.key'), '--data', hub);
    expect(noRoot.code).toBe(1);
    expect(noRoot.stderr).toContain('HQ_ROOT_MISSING');
    expect(memberkiosk('keys', 'install-public', join(hq, 'hq-root.pub'), '--data', hub)).toMatchObject({ code: 0 });
    expect(memberkiosk('keys', 'sign-key', '--data', hub)).toMatchObject({ code: 2 });
    expect(memberkiosk('keys', 'sign-key', '--root-key', join(hq, 'hq-root.key'), '--days', 'forever', '--data', hub)).toMatchObject({ code: 2 });
    const first = memberkiosk('keys', 'sign-key', '--root-key', join(hq, 'hq-root.key'), '--days', '30', '--data', hub);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/^signing key version 1 /);
    expect(statSync(join(hub, 'config-signing.key')).mode & 0o777).toBe(0o600);
    const cert = JSON.parse(readFileSync(join(hub, 'config-signing.cert.json'), 'utf8')) as { signed: { version: number; expires: string; issuedAt: string } };
    expect(Date.parse(cert.signed.expires) - Date.parse(cert.signed.issuedAt)).toBe(30 * 86_400_000);
    expect(memberkiosk('keys', 'sign-key', '--root-key', join(hq, 'hq-root.key'), '--data', hub).stdout).toMatch(/^signing key version 2 /);
    // Another HQ's root (or a stolen one never installed here): refused, the key is unchanged.
    const other = join(dir, 'other');
    expect(memberkiosk('keys', 'init', '--out', other)).toMatchObject({ code: 0 });
    const refused = memberkiosk('keys', 'sign-key', '--root-key', join(other, 'hq-root.key'), '--data', hub);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HQ_ROOT_MISMATCH');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const pub = memberkiosk('keys', 'sign-key', '--root-key', join(hq, 'hq-root.pub'), '--data', hub);
    expect(pub.stderr).toContain('HQ_KEY_INVALID');
    expect((JSON.parse(readFileSync(join(hub, 'config-signing.cert.json'), 'utf8')) as { signed: { version: number } }).signed.version).toBe(2);
  });

  it('publishes a checked, signed bundle to a scope of the fleet and lists it; refuses stale versions, unknown scopes, bad content and a hub without a key', () => {
    const hq = join(dir, 'hq');
    const hub = join(dir, 'hub');
    const file = join(dir, 'store.json');
    writeFileSync(file, JSON.stringify({ rules: { rules: [{ kind: 'earn_rate', id: 'store-double', rate: '2', categories: ['grocery'] }] }, receipt: { header: [{ 'zh-CN': '一店', en: 'Store one' }] } }));
    expect(memberkiosk('regions', 'add', '--id', 'east', '--name', 'East', '--data', hub)).toMatchObject({ code: 0 });
    expect(memberkiosk('stores', 'add', '--id', 'store-1', '--name', 'One', '--region', 'east', '--data', hub)).toMatchObject({ code: 0 });
    const keyless = memberkiosk('config', 'publish', file, '--scope', 'store:store-1', '--data', hub);
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toContain('SIGNING_KEY_MISSING');
    memberkiosk('keys', 'init', '--out', hq);
    memberkiosk('keys', 'install-public', join(hq, 'hq-root.pub'), '--data', hub);
    expect(memberkiosk('keys', 'sign-key', '--root-key', join(hq, 'hq-root.key'), '--data', hub)).toMatchObject({ code: 0 });

    const published = memberkiosk('config', 'publish', file, '--scope', 'store:store-1', '--expires-days', '90', '--data', hub);
    expect(published).toMatchObject({ code: 0 });
    expect(published.stdout).toMatch(/^published store\/store-1 v1, valid until .*; 0 kiosk\(s\)/);
    const stale = memberkiosk('config', 'publish', file, '--scope', 'store:store-1', '--version', '1', '--data', hub);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('CONFIG_VERSION_STALE');
    expect(memberkiosk('config', 'publish', file, '--scope', 'store:store-9', '--data', hub).stderr).toContain('CONFIG_SCOPE_UNKNOWN');
    expect(memberkiosk('config', 'publish', file, '--scope', 'aisle:3', '--data', hub).stderr).toContain('CONFIG_SCOPE_INVALID');
    expect(memberkiosk('config', 'publish', file, '--data', hub)).toMatchObject({ code: 2 });
    writeFileSync(file, JSON.stringify({ rules: { rules: [{ kind: 'earn_rate', id: 'x', rate: 'lots' }] } }));
    expect(memberkiosk('config', 'publish', file, '--scope', 'global', '--data', hub).stderr).toContain('CONFIG_INVALID');
    writeFileSync(file, JSON.stringify({ colour: 'red' }));
    expect(memberkiosk('config', 'publish', file, '--scope', 'global', '--data', hub).stderr).toContain('CONFIG_INVALID');

    const listed = memberkiosk('config', 'list', '--data', hub);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^signing key v1 /);
    expect(listed.stdout).toMatch(/\nstore\/store-1\tv1\t0 kiosk\(s\)\tpublished .* by cli:/);
  });

  it('a bundle published from the command line beside a running hub reaches the store’s kiosk within a second or two, signed', async () => {
    const env = await startTestHub();
    try {
      const creds = await enrolForTest(env, 'kiosk-cli', { storeId: DEMO_STORE_ID });
      const kiosk = await ConfigKiosk.connect(env.brokerUrl, creds);
      const before = await kiosk.nextSet();
      const file = join(dir, 'screen.json');
      writeFileSync(file, JSON.stringify({ screen: { idleSeconds: 45, defaultLocale: 'en' } }));
      // Not blocking this process: the hub under test runs in it and must answer the kiosk meanwhile.
      const { stdout } = await memberkioskAsync('config', 'publish', file, '--scope', `store:${DEMO_STORE_ID}`, '--data', env.dataDir);
      expect(stdout).toContain('1 kiosk(s)');
      // The CLI is a surface like the API: the publish is in the hub's append-only audit log, by the OS user.
      expect(await env.hub.store.identity.auditEntries({ limit: 5, action: 'config.publish' })).toContainEqual(
        expect.objectContaining({ actorKind: 'cli', actorId: userInfo().username, surface: 'cli', target: `store/${DEMO_STORE_ID}`, outcome: 'ok' }),
      );
      const after = await kiosk.nextSet((s) => s.snapshot.signed.version > before.snapshot.signed.version, 5_000);
      const held = { signingKeyVersion: 1, snapshotVersion: before.snapshot.signed.version, scopeVersions: { global: 1 } };
      expect(acceptConfigSet({ hqRootPublicKeyPem: env.hqRootPublicKeyPem, deviceId: 'kiosk-cli', storeId: DEMO_STORE_ID, held, nowMs: Date.now(), set: after })).toMatchObject({
        status: 'accepted',
        config: { effective: { screen: { idleSeconds: 45, defaultLocale: 'en' } } },
      });
      await kiosk.close();
    } finally {
      await env.dispose();
    }
  });
});
