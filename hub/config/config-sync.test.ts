/**
 * The configuration sync on its own (real fleet.sqlite and ledger, a recorded publisher, a clock the test moves):
 * first snapshots on request, renewal at half life, no key → SIGNING_KEY_MISSING, unknown kiosks refused, the
 * hub's rules carried into the global scope.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptConfigSet } from '../../core/config/accept-config-set.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { installHqRootPublicKey } from '../fleet/hq-root-key.ts';
import { openFleetRegistry } from '../fleet/open-fleet-registry.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { ConfigStore } from './config-store.ts';
import { openSqliteConfigStore } from './sqlite-config-store.ts';
import { ConfigSync } from './config-sync.ts';
import { publishConfig } from './publish-config.ts';
import { createSigningKey, SigningKeyLoader } from './signing-key.ts';

const DAY = 86_400_000;
const silent = pino({ level: 'silent' });
const topics = createTopics();

describe('the configuration sync (real SQLite, recorded publishing, a moved clock)', () => {
  let temp: { dir: string; cleanup: () => void };
  let fleet: FleetRegistry;
  let ledger: Ledger;
  let store: ConfigStore;
  let now: number;
  let published: { topic: string; payload: string }[];
  let rootPem: string;
  let rootPrivatePem: string;
  let sync: ConfigSync | null;

  const makeSync = () => {
    sync = new ConfigSync({ store, fleet, rules: ledger, keys: new SigningKeyLoader(temp.dir, () => now), topics, publish: (topic, payload) => published.push({ topic, payload }), logger: silent, now: () => now, pollMs: 60_000 });
    return sync;
  };
  const setsFor = (deviceId: string) => published.filter((p) => p.topic === topics.configSet(deviceId)).map((p) => JSON.parse(p.payload) as { snapshot: { signed: { version: number; rulesVersion: number } } });

  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-config-sync-'));
    temp = { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    now = Date.parse('2026-12-01T08:00:00Z');
    published = [];
    sync = null;
    fleet = await openFleetRegistry(temp.dir);
    ledger = await openLedger({ kind: 'sqlite', path: join(temp.dir, 'ledger.sqlite'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE });
    store = await openSqliteConfigStore(temp.dir);
    await fleet.addRegion({ regionId: 'east', name: 'East' });
    await fleet.addStore({ storeId: 'store-1', name: 'One', regionId: 'east' });
    await fleet.addEnrolmentCode({ codeSha256: 'a'.repeat(64), storeId: 'store-1', mode: 'attended', deviceId: 'kiosk-1', createdAt: new Date(now).toISOString(), expiresAt: new Date(now + DAY).toISOString() });
    await fleet.redeemEnrolmentCode({ codeSha256: 'a'.repeat(64), now: new Date(now).toISOString(), proposedDeviceId: 'kiosk-1', mqttSecretSha256: 'b'.repeat(64), publicKeyPem: 'unused' });
    const root = generateKeyPairSync('ed25519');
    rootPem = root.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    rootPrivatePem = root.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    installHqRootPublicKey(temp.dir, rootPem);
  });
  afterEach(async () => {
    await sync?.stop();
    await store.close();
    await ledger.close();
    await fleet.close();
    temp.cleanup();
  });

  it('without a signing key: config.current and publishing are refused with SIGNING_KEY_MISSING, and nothing is published', async () => {
    await makeSync().start();
    await expect(sync!.currentSet('kiosk-1')).rejects.toMatchObject({ code: 'SIGNING_KEY_MISSING' });
    await expect(publishConfig({ store, fleet, signingKey: null }, { scope: 'global', content: {}, publishedBy: 'test' })).rejects.toMatchObject({ code: 'SIGNING_KEY_MISSING' });
    expect(published).toEqual([]);
    // A key made while the hub runs is picked up at the next reconcile: no restart.
    createSigningKey(temp.dir, rootPrivatePem, { now: new Date(now) });
    const set = await sync!.currentSet('kiosk-1');
    expect(acceptConfigSet({ hqRootPublicKeyPem: rootPem, deviceId: 'kiosk-1', storeId: 'store-1', held: { signingKeyVersion: 0, snapshotVersion: 0, scopeVersions: {} }, nowMs: now, set })).toMatchObject({
      status: 'accepted',
      config: { snapshot: { regionId: 'east', rulesVersion: 1 }, bundles: [{ scope: 'global', version: 1 }] },
    });
  });

  it('renews a snapshot with less than half its life left (a new version, the same rules), and refuses unknown kiosks', async () => {
    createSigningKey(temp.dir, rootPrivatePem, { now: new Date(now) });
    await makeSync().start();
    const first = await sync!.currentSet('kiosk-1');
    expect(setsFor('kiosk-1').at(-1)?.snapshot.signed.version).toBe(first.snapshot.signed.version);
    // Three days later: more than half of seven is left, nothing changes.
    now += 3 * DAY;
    expect((await sync!.currentSet('kiosk-1')).snapshot.signed.version).toBe(first.snapshot.signed.version);
    now += 1 * DAY;
    const renewed = await sync!.currentSet('kiosk-1');
    expect(renewed.snapshot.signed.version).toBeGreaterThan(first.snapshot.signed.version);
    expect(renewed.snapshot.signed.rulesVersion).toBe(first.snapshot.signed.rulesVersion);
    expect(Date.parse(renewed.snapshot.signed.expires)).toBe(now + 7 * DAY);
    expect(setsFor('kiosk-1').at(-1)?.snapshot.signed.version).toBe(renewed.snapshot.signed.version);
    await expect(sync!.currentSet('kiosk-404')).rejects.toMatchObject({ code: 'FLEET_UNKNOWN_DEVICE' });
  });

  it('carries the hub’s rules into the global scope while HQ has published none, and stops once HQ has', async () => {
    createSigningKey(temp.dir, rootPrivatePem, { now: new Date(now) });
    await makeSync().start();
    expect(await store.latestBundle('global')).toMatchObject({ version: 1, seededFromRules: 1, publishedBy: 'hub' });
    // A bundle saved straight into the rules store that merging leaves as it is: followed, under its own number.
    await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, memberPin: { storedValueAboveCents: 10_000 } });
    await sync!.kick();
    expect(await store.latestBundle('global')).toMatchObject({ version: 2, seededFromRules: 2 });
    expect((await sync!.currentSet('kiosk-1')).snapshot.signed.rulesVersion).toBe(2);
    // One that merging would change (default rules it leaves out come back): not followed, no rules version made.
    await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 3, rules: [{ kind: 'earn_rate', id: 'only', rate: '2' }] });
    await sync!.kick();
    expect(await store.latestBundle('global')).toMatchObject({ version: 2 });
    expect((await ledger.latestRulesBundle())?.version).toBe(3);
    // HQ publishes a global bundle: the hub's rules store is no longer followed.
    await publishConfig({ store, fleet, signingKey: sync!.signingKey() }, { scope: 'global', content: { screen: { idleSeconds: 30 } }, publishedBy: 'test' });
    await sync!.kick();
    expect(await store.hqPublishedGlobal()).toBe(true);
    const set = await sync!.currentSet('kiosk-1');
    expect(set.bundles.map((b) => [b.signed.scope, b.signed.version])).toEqual([['global', 3]]);
  });

  it('seeds rules stored before bundles had a format as format 1 (their meaning), under their own rules version', async () => {
    // A hub that ran the first engine: its newest stored bundle has no `format` (format 1: per-line rounding).
    const { format: _format, ...stored } = DEFAULT_RULES_BUNDLE;
    await ledger.saveRulesBundle({ ...stored, version: 2 });
    createSigningKey(temp.dir, rootPrivatePem, { now: new Date(now) });
    await makeSync().start();
    expect(await store.latestBundle('global')).toMatchObject({ seededFromRules: 2, signed: { signed: { content: { rules: { format: 1 } } } } });
    const set = await sync!.currentSet('kiosk-1');
    // The same rules (format 1 made explicit): no new rules version, the hub recomputes with the stored bundle 2.
    expect(set.snapshot.signed.rulesVersion).toBe(2);
    expect((await ledger.latestRulesBundle())?.version).toBe(2);
    const accepted = acceptConfigSet({ hqRootPublicKeyPem: rootPem, deviceId: 'kiosk-1', storeId: 'store-1', held: { signingKeyVersion: 0, snapshotVersion: 0, scopeVersions: {} }, nowMs: now, set });
    expect(accepted.status === 'accepted' ? accepted.config.rules.format : accepted).toBe(1);
  });

  it('signs no set that names a bundle signed by a replaced key: rotation re-signs the bundles it names', async () => {
    createSigningKey(temp.dir, rootPrivatePem, { now: new Date(now) });
    await makeSync().start();
    const before = await sync!.currentSet('kiosk-1');
    now += 1_000;
    const rotated = createSigningKey(temp.dir, rootPrivatePem, { now: new Date(now) });
    const after = await sync!.currentSet('kiosk-1');
    expect(after.signingKey.signed).toMatchObject({ version: 2, keyId: rotated.keyId });
    expect(after.bundles.every((b) => b.signatures[0]?.keyId === rotated.keyId)).toBe(true);
    expect(after.snapshot.signed.version).toBeGreaterThan(before.snapshot.signed.version);
    expect(acceptConfigSet({ hqRootPublicKeyPem: rootPem, deviceId: 'kiosk-1', storeId: 'store-1', held: { signingKeyVersion: 1, snapshotVersion: before.snapshot.signed.version, scopeVersions: { global: 1 } }, nowMs: now, set: after }).status).toBe('accepted');
  });
});
