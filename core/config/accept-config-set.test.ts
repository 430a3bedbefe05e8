import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acceptConfigSet, snapshotExpired, type HeldConfig } from './accept-config-set.ts';
import { canonicalJson } from './canonical-json.ts';
import { bundle, configSet, KIOSK, makeKeys, NOW, EARLIER } from './test-support/config-fixture.ts';

const NOTHING: HeldConfig = { signingKeyVersion: 0, snapshotVersion: 0, scopeVersions: {} };
const keys = makeKeys();
const storeRule = { rules: [{ kind: 'earn_rate', id: 'store-double', rate: '2', categories: ['grocery'] }] };

function accept(set: unknown, held: HeldConfig = NOTHING, root: string | null = keys.root.publicKeyPem) {
  return acceptConfigSet({ hqRootPublicKeyPem: root, deviceId: KIOSK.deviceId, storeId: KIOSK.storeId, held, nowMs: NOW, set });
}

describe('accepting a configuration set on a kiosk', () => {
  it('applies a complete, signed set: scopes merged broadest first, the rules numbered by the snapshot', () => {
    const set = configSet(keys, [bundle(keys, 'global', 3, { offlineLimits: { perCardPerDayCents: 100, pointsPerCardPerDay: 0, spendsPerCard: 1, kioskExposureCents: 1_000, maxOfflineHours: 24 } }), bundle(keys, 'store/store-001', 2, { rules: storeRule })], { snapshotVersion: 7, rulesVersion: 5 });
    const outcome = accept(set);
    expect(outcome.status).toBe('accepted');
    if (outcome.status !== 'accepted') return;
    expect(outcome.config.snapshot).toMatchObject({ version: 7, regionId: 'east' });
    expect(outcome.config.rules.version).toBe(5);
    // The chain's default rules stay; the store's rule is added after them.
    expect(outcome.config.rules.rules.map((r) => r.id)).toEqual(['base', 'tier-multipliers', 'store-double']);
    expect(outcome.config.effective.offlineLimits.maxOfflineHours).toBe(24);
  });

  it('is unchanged for the snapshot it already runs, and refuses an older one (rollback)', () => {
    const set = configSet(keys, [bundle(keys, 'global', 1, {})], { snapshotVersion: 4 });
    expect(accept(set, { ...NOTHING, snapshotVersion: 4 })).toEqual({ status: 'unchanged' });
    expect(accept(set, { ...NOTHING, snapshotVersion: 5 })).toMatchObject({ status: 'refused', code: 'CONFIG_ROLLBACK' });
    // A new snapshot that brings back an older version of one scope is a rollback too.
    expect(accept(configSet(keys, [bundle(keys, 'global', 1, {})], { snapshotVersion: 9 }), { ...NOTHING, snapshotVersion: 4, scopeVersions: { global: 2 } })).toMatchObject({ status: 'refused', code: 'CONFIG_ROLLBACK' });
  });

  it('refuses a tampered bundle, a tampered snapshot and a set without signatures', () => {
    const set = configSet(keys, [bundle(keys, 'global', 1, { screen: { idleSeconds: 30 } })]);
    const tamperedBundle = structuredClone(set);
    tamperedBundle.bundles[0]!.signed.content = { screen: { idleSeconds: 600 } };
    expect(accept(tamperedBundle)).toMatchObject({ status: 'refused', code: 'CONFIG_SIGNATURE_INVALID' });
    const tamperedSnapshot = structuredClone(set);
    tamperedSnapshot.snapshot.signed.rulesVersion = 99;
    expect(accept(tamperedSnapshot)).toMatchObject({ status: 'refused', code: 'CONFIG_SIGNATURE_INVALID' });
    const unsigned = structuredClone(set) as { bundles: { signatures: unknown[] }[] };
    unsigned.bundles[0]!.signatures = [];
    expect(accept(unsigned)).toMatchObject({ status: 'refused', code: 'CONFIG_MALFORMED' });
    expect(accept('not a set')).toMatchObject({ status: 'refused', code: 'CONFIG_MALFORMED' });
  });

  it('accepts a rotated signing key only with the root’s certificate, and never an older key again', () => {
    const rotated = { ...keys, signing: generateKeyPairSync('ed25519') };
    const certified = configSet(rotated, [bundle(rotated, 'global', 2, {})], { keyVersion: 2, snapshotVersion: 2 });
    expect(accept(certified, { ...NOTHING, signingKeyVersion: 1, snapshotVersion: 1 }).status).toBe('accepted');
    // Certified by some other root (an attacker's): refused.
    const otherRoot = makeKeys();
    const forged = configSet({ root: otherRoot.root, signing: rotated.signing }, [bundle(rotated, 'global', 2, {})], { keyVersion: 2, snapshotVersion: 2 });
    expect(accept(forged, { ...NOTHING, signingKeyVersion: 1 })).toMatchObject({ status: 'refused', code: 'CONFIG_SIGNING_KEY_UNCERTIFIED' });
    // The old key's certificate after the kiosk has seen version 2: refused even though the root signed it.
    expect(accept(configSet(keys, [bundle(keys, 'global', 3, {})], { keyVersion: 1, snapshotVersion: 3 }), { ...NOTHING, signingKeyVersion: 2, snapshotVersion: 2 })).toMatchObject({ status: 'refused', code: 'CONFIG_ROLLBACK' });
    // Documents signed by a key the certificate does not name: refused.
    const mixed = configSet(keys, [bundle(rotated, 'global', 2, {})]);
    expect(accept(mixed)).toMatchObject({ status: 'refused', code: 'CONFIG_SIGNATURE_INVALID' });
  });

  it('refuses an expired snapshot or bundle', () => {
    expect(accept(configSet(keys, [bundle(keys, 'global', 1, {})], { expires: EARLIER }))).toMatchObject({ status: 'refused', code: 'CONFIG_EXPIRED' });
    expect(accept(configSet(keys, [bundle(keys, 'global', 1, {}, EARLIER)]))).toMatchObject({ status: 'refused', code: 'CONFIG_EXPIRED' });
    expect(snapshotExpired({ expires: EARLIER }, NOW)).toBe(true);
    expect(snapshotExpired(null, NOW)).toBe(true);
  });

  it('refuses another store’s bundle, another kiosk’s snapshot, and a mix of scope versions the snapshot does not name', () => {
    const otherStore = configSet(keys, [bundle(keys, 'store/store-002', 1, { rules: storeRule })]);
    expect(accept(otherStore)).toMatchObject({ status: 'refused', code: 'CONFIG_WRONG_SCOPE' });
    const otherKiosk = configSet(keys, [bundle(keys, 'global', 1, {})], { kiosk: { ...KIOSK, deviceId: 'kiosk-2' } as unknown as typeof KIOSK });
    expect(accept(otherKiosk)).toMatchObject({ status: 'refused', code: 'CONFIG_WRONG_SCOPE' });
    // Mix and match: the snapshot names global v1, the set brings a (validly signed) global v2.
    const set = configSet(keys, [bundle(keys, 'global', 1, {})]);
    const mixed = { ...set, bundles: [bundle(keys, 'global', 2, {})] };
    expect(accept(mixed)).toMatchObject({ status: 'refused', code: 'CONFIG_INCOMPLETE' });
    const missing = { ...configSet(keys, [bundle(keys, 'global', 1, {}), bundle(keys, 'store/store-001', 1, {})]), bundles: [bundle(keys, 'global', 1, {})] };
    expect(accept(missing)).toMatchObject({ status: 'refused', code: 'CONFIG_INCOMPLETE' });
  });

  it('refuses merged rules that do not validate, and everything when the kiosk holds no root', () => {
    const bad = configSet(keys, [bundle(keys, 'global', 1, { rules: { rules: [{ kind: 'earn_rate', id: 'x', rate: 'lots' }] } })]);
    expect(accept(bad)).toMatchObject({ status: 'refused', code: 'CONFIG_INVALID' });
    expect(accept(configSet(keys, [bundle(keys, 'global', 1, {})]), NOTHING, null)).toMatchObject({ status: 'refused', code: 'CONFIG_NO_TRUST_ROOT' });
  });
});

describe('canonical JSON', () => {
  it('is the same for the same value whatever the key order, and refuses floats', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}');
    expect(canonicalJson({ c: { y: 2, z: 1 }, a: [true, null, 'x'], b: 1 })).toBe(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } }));
    expect(() => canonicalJson({ price: 9.99 })).toThrow(/safe integers/);
  });
});
