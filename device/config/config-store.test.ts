import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundle, configSet, EARLIER, KIOSK, makeKeys, NOW } from '../../core/config/test-support/config-fixture.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { openConfigStore, type ConfigStore, type ConfigStoreOptions } from './config-store.ts';

const keys = makeKeys();
const receipt = (text: string) => ({ receipt: { header: [{ 'zh-CN': text }] } });
/** Snapshot 1 (rules 1): global v1 + store v1. */
const first = configSet(keys, [bundle(keys, 'global', 1, receipt('第一版')), bundle(keys, 'store/store-001', 1, { items: [{ sku: 'TEA', category: 'drinks', priceCents: 500, name: { 'zh-CN': '茶' } }] })], { snapshotVersion: 1, rulesVersion: 1 });
/** Snapshot 2 (rules 2): global v2 + store v1. */
const second = configSet(keys, [bundle(keys, 'global', 2, receipt('第二版')), bundle(keys, 'store/store-001', 1, { items: [{ sku: 'TEA', category: 'drinks', priceCents: 500, name: { 'zh-CN': '茶' } }] })], { snapshotVersion: 2, rulesVersion: 2 });

describe('the kiosk’s configuration store', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;

  beforeEach(() => {
    temp = makeTempDir('mk-config-');
    path = join(temp.dir, 'config.json');
  });
  afterEach(() => temp.cleanup());

  function open(extra: Partial<ConfigStoreOptions> = {}): ConfigStore {
    return openConfigStore({ path, deviceId: KIOSK.deviceId, storeId: KIOSK.storeId, hqRootPublicKeyPem: keys.root.publicKeyPem, logger: createCaptureLogger().logger, ...extra });
  }
  const headerOf = (store: ConfigStore) => store.current()?.effective.receipt.header?.[0]?.['zh-CN'];

  it('applies a valid set, names its versions, and comes back with it and what it held after a restart', () => {
    const store = open();
    expect(store.current()).toBeNull();
    expect(store.rulesVersion()).toBe(0);
    expect(store.snapshotVersion()).toBeUndefined();
    expect(store.offer(first, NOW)).toMatchObject({ status: 'applied' });
    expect(store.rulesVersion()).toBe(1);
    expect(store.snapshotVersion()).toBe(1);
    expect(store.offer(first, NOW)).toEqual({ status: 'unchanged' });
    expect(store.offer(second, NOW)).toMatchObject({ status: 'applied' });
    expect(store.summary(NOW)).toMatchObject({ snapshotVersion: 2, rulesVersion: 2, regionId: 'east', scopeVersions: { global: 2, 'store/store-001': 1 }, expired: false, lastRefusal: null });
    expect(store.current()?.effective.items.map((i) => i.sku)).toEqual(['TEA']);

    const again = open();
    expect(again.snapshotVersion()).toBe(2);
    expect(headerOf(again)).toBe('第二版');
    expect(again.held()).toEqual({ signingKeyVersion: 1, snapshotVersion: 2, scopeVersions: { global: 2, 'store/store-001': 1 } });
    // Rollback protection survived the restart: snapshot 1 is refused.
    expect(again.offer(first, NOW)).toMatchObject({ status: 'refused', refusal: { code: 'CONFIG_ROLLBACK', version: 1 } });
  });

  it('refuses tampered, older, expired and wrongly scoped sets, keeps what it runs, and remembers the refusal', () => {
    const store = open();
    store.offer(second, NOW);
    const tampered = structuredClone(configSet(keys, [bundle(keys, 'global', 3, receipt('第三版'))], { snapshotVersion: 3 }));
    tampered.bundles[0]!.signed.content = receipt('篡改');
    const expired = configSet(keys, [bundle(keys, 'global', 3, {})], { snapshotVersion: 3, expires: EARLIER });
    const otherKiosk = configSet(keys, [bundle(keys, 'global', 3, {})], { snapshotVersion: 3, kiosk: { ...KIOSK, deviceId: 'kiosk-9' } as unknown as typeof KIOSK });
    const cases: [unknown, string][] = [
      [tampered, 'CONFIG_SIGNATURE_INVALID'],
      [first, 'CONFIG_ROLLBACK'],
      [expired, 'CONFIG_EXPIRED'],
      [otherKiosk, 'CONFIG_WRONG_SCOPE'],
      [{ not: 'a set' }, 'CONFIG_MALFORMED'],
    ];
    for (const [set, code] of cases) {
      const outcome = store.offer(set, NOW);
      expect(outcome).toMatchObject({ status: 'refused', repeated: false, refusal: { code, at: new Date(NOW).toISOString() } });
      expect(store.snapshotVersion()).toBe(2);
      expect(headerOf(store)).toBe('第二版');
    }
    // The same refusal again (the retained set on the next connect) is not news.
    expect(store.offer({ not: 'a set' }, NOW)).toMatchObject({ status: 'refused', repeated: true });
    const reopened = open();
    expect(reopened.lastRefusal()).toMatchObject({ code: 'CONFIG_MALFORMED' });
    expect(reopened.snapshotVersion()).toBe(2);
    // A kiosk without HQ's root trusts nothing.
    expect(open({ path: join(temp.dir, 'other.json'), hqRootPublicKeyPem: null }).offer(first, NOW)).toMatchObject({ status: 'refused', refusal: { code: 'CONFIG_NO_TRUST_ROOT' } });
  });

  it('keeps the old complete snapshot when the apply dies between writing the new file and renaming it', () => {
    const store = open();
    store.offer(first, NOW);
    const dying = open({ beforeRename: () => { throw new Error('power cut'); } });
    expect(() => dying.offer(second, NOW)).toThrow('power cut');
    // Nothing of the new set is in force, in memory or on disk, and it can be applied again.
    expect(dying.snapshotVersion()).toBe(1);
    expect(existsSync(`${path}.tmp`)).toBe(true);
    const restarted = open();
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(restarted.snapshotVersion()).toBe(1);
    expect(headerOf(restarted)).toBe('第一版');
    expect(restarted.offer(second, NOW)).toMatchObject({ status: 'applied' });
  });

  it('ignores a truncated temporary file left by a kill, and a corrupt main file leaves it waiting for the hub', () => {
    open().offer(first, NOW);
    const full = readFileSync(path, 'utf8');
    writeFileSync(`${path}.tmp`, full.slice(0, Math.floor(full.length / 2)));
    const restarted = open();
    expect(restarted.snapshotVersion()).toBe(1);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    writeFileSync(path, full.slice(0, 100));
    const log = createCaptureLogger();
    const broken = open({ logger: log.logger });
    expect(broken.current()).toBeNull();
    expect(log.withCode('CONFIG_MALFORMED')).toHaveLength(1);
  });

  it('loads a snapshot that has since expired: it runs on, marked expired (offline spending stops, nothing else)', () => {
    const soon = new Date(NOW + 60_000).toISOString();
    const store = open();
    expect(store.offer(configSet(keys, [bundle(keys, 'global', 1, {})], { expires: soon }), NOW)).toMatchObject({ status: 'applied' });
    expect(store.expired(NOW)).toBe(false);
    const later = open();
    expect(later.snapshotVersion()).toBe(1);
    expect(later.expired(NOW + 120_000)).toBe(true);
    expect(later.summary(NOW + 120_000)).toMatchObject({ expired: true, expires: soon });
    // A kiosk holding nothing has nothing to expire.
    expect(open({ path: join(temp.dir, 'none.json') }).expired(NOW)).toBe(false);
  });

  it('comes back on one complete snapshot after a real SIGKILL mid-apply, and on the new one after a kill just after', async () => {
    open().offer(first, NOW);
    const rootFile = join(temp.dir, 'root.pub');
    const setFile = join(temp.dir, 'set.json');
    writeFileSync(rootFile, keys.root.publicKeyPem);
    writeFileSync(setFile, JSON.stringify(second));
    const child = join(import.meta.dirname, '..', 'test-support', 'config-apply-child.ts');
    const run = (dieAt: string) =>
      new Promise<NodeJS.Signals | null>((resolve, reject) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', child, path, KIOSK.deviceId, KIOSK.storeId, rootFile, setFile, String(NOW), dieAt], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        proc.on('error', reject);
        proc.on('exit', (code, signal) => (signal ? resolve(signal) : reject(new Error(`exited ${code}: ${err}`))));
      });

    expect(await run('before-rename')).toBe('SIGKILL');
    const afterKill = open();
    expect(afterKill.snapshotVersion()).toBe(1);
    expect(headerOf(afterKill)).toBe('第一版');
    expect(afterKill.held().snapshotVersion).toBe(1);

    expect(await run('after-apply')).toBe('SIGKILL');
    const afterApply = open();
    expect(afterApply.snapshotVersion()).toBe(2);
    expect(headerOf(afterApply)).toBe('第二版');
    expect(afterApply.held()).toMatchObject({ snapshotVersion: 2, scopeVersions: { global: 2 } });
  });
});
