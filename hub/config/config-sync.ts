/**
 * The hub's side of signed configuration, kept in step with the store (config-store.ts) by one serial loop:
 *
 * - polls every ~500 ms for what decides a kiosk's configuration (bundles published by the CLI or the API, kiosks
 *   enrolled or revoked, stores and their regions, the signing key files) and reconciles when any changed;
 * - keeps each scope's newest bundle signed by the current key and fresh (re-signed, same version and content, when
 *   the key rotates or less than half its lifetime is left) and retained on `topics.config(scope)`;
 * - gives every enrolled, non-revoked kiosk a snapshot naming exactly the scope versions it applies (re-snapshotting
 *   only the kiosks whose scopes changed: a store's bundle touches that store's kiosks, a region's that region's),
 *   numbered with the merged rules' version in the ledger's rules store, and retains its complete set on
 *   `topics.configSet(id)`; renews a snapshot with less than half its lifetime left (hourly, and when the kiosk asks);
 * - answers `config.current` with the kiosk's current set.
 *
 * Merged rules are content-addressed: every kiosk whose scopes merge to the same rules shares one rules version,
 * and a new one is the highest existing + 1 (saved with saveRulesBundle, so the ledger recomputes transactions
 * that name it with exactly those rules).
 *
 * While HQ has never published a global bundle, the hub seeds one from its rules store's newest bundle (the rules a
 * hub ran before signed configuration, or the default it starts with), so kiosks keep the rules the hub has, and
 * follows a newer one as far as that needs no rules version of its own (followRulesStore). The first global bundle
 * HQ publishes ends that for good.
 */
import type { Logger } from 'pino';
import type { ConfigSet, SignedConfig, SnapshotBody } from '../../core/config/config-documents.ts';
import { mergeConfig, type EffectiveConfig } from '../../core/config/merge-config.ts';
import { signConfig, signSnapshot } from '../../core/config/sign-config-documents.ts';
import { documentDigest } from '../../core/config/signatures.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import type { BundleRow, ConfigStore, SnapshotRow } from './config-store.ts';
import { activeKiosks, bundlesForKiosk, checkMergedRules, rulesDigest, type KioskTarget } from './config-targets.ts';
import { publishConfig } from './publish-config.ts';
import type { LoadedSigningKey, SigningKeyLoader, SigningKeyRead } from './signing-key.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_SNAPSHOT_DAYS = 7;

export interface ConfigSyncDeps {
  store: ConfigStore;
  fleet: Pick<FleetRegistry, 'listDevices' | 'listStores' | 'listRegions' | 'device' | 'store'>;
  rules: Pick<RulesStore, 'saveRulesBundle' | 'rulesBundle' | 'latestRulesBundle'>;
  keys: SigningKeyLoader;
  topics: Topics;
  /** Publishes retained at QoS 1 (an empty payload clears the retained message); never throws. */
  publish: (topic: string, payload: string) => void;
  logger: Logger;
  /** Told the fleet's store → region map each time it is read (the ledger evaluates region-scoped rules with it). */
  onRegions?: (regions: ReadonlyMap<string, string>) => void;
  now?: () => number;
  pollMs?: number;
  renewCheckMs?: number;
  snapshotDays?: number;
}

interface CurrentSet {
  row: SnapshotRow;
  set: ConfigSet;
}

/** Less than half of the validity from `issuedAt` to `expires` is left. */
function halfGone(issuedAt: string, expires: string, nowMs: number): boolean {
  const start = Date.parse(issuedAt);
  const end = Date.parse(expires);
  return end - nowMs < (end - start) / 2;
}

export class ConfigSync {
  private readonly log: Logger;
  private readonly now: () => number;
  private chain: Promise<unknown> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private fingerprint = '';
  private keyId: string | null = null;
  private keyProblem: string | null = null;
  private kiosks = new Map<string, KioskTarget>();
  private revoked: string[] = [];
  /** Each scope's newest bundle as it is signed now, and its digest (what snapshots name). */
  private bundles = new Map<string, { row: BundleRow; digest: string }>();
  /** The same bundles as signed documents by scope, as kiosks get them. */
  private signedBundles = new Map<string, SignedConfig>();
  private readonly current = new Map<string, CurrentSet>();
  private readonly publishedSets = new Map<string, number>();
  private readonly publishedBundles = new Map<string, string>();
  private readonly cleared = new Set<string>();
  /** Merged rules digest → rules version, checked against the ledger once. */
  private readonly rulesVersions = new Map<string, number>();
  private readonly rulesDigestOf = new WeakMap<RulesBundle, string>();
  /** A seed that failed (invalid merged rules): not tried again for the same rules. */
  private seedRefused: string | null = null;
  private lastFailure: string | null = null;
  private expiryWarned: string | null = null;
  private pollQueued = false;

  constructor(private readonly deps: ConfigSyncDeps) {
    this.log = deps.logger.child({ component: 'hub.config' });
    this.now = deps.now ?? Date.now;
  }

  /** Reads what is stored, reconciles once (publishing every retained message) and starts polling. */
  async start(): Promise<void> {
    for (const { row, set } of await this.deps.store.currentSnapshots()) this.current.set(row.deviceId, { row, set });
    await this.background(true);
    const poll = setInterval(() => void this.background(false), this.deps.pollMs ?? 500);
    const renew = setInterval(() => void this.background(true), this.deps.renewCheckMs ?? 3_600_000);
    poll.unref();
    renew.unref();
    this.timers = [poll, renew];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.chain.catch(() => undefined);
  }

  /** Reconciles now (after a publish through the API) rather than at the next poll. */
  kick(): Promise<void> {
    return this.enqueue(() => this.reconcile(false));
  }

  /** Everything retained again (the hub's client reconnected to a broker that may have lost it). */
  republishAll(): Promise<void> {
    this.publishedSets.clear();
    this.publishedBundles.clear();
    this.cleared.clear();
    return this.enqueue(() => this.reconcile(true));
  }

  /** The key configuration is signed with, or SIGNING_KEY_MISSING saying why there is none. */
  signingKey(): LoadedSigningKey {
    return this.deps.keys.require();
  }

  /**
   * A kiosk's current configuration set (config.current): its first snapshot if it has none, a renewed one when
   * less than half of it is left. FLEET_UNKNOWN_DEVICE for a kiosk not enrolled (or revoked).
   */
  currentSet(deviceId: string): Promise<ConfigSet> {
    return this.enqueue(async () => {
      await this.reconcile(false);
      const key = this.deps.keys.require();
      const kiosk = this.kiosks.get(deviceId);
      if (!kiosk) throw new CodedError('FLEET_UNKNOWN_DEVICE', `${deviceId} is not an enrolled kiosk of this hub`);
      const [current] = await this.ensureKiosks([kiosk], key);
      if (!current) throw new CodedError('CONFIG_INVALID', `the configuration of ${deviceId} does not merge into valid rules; the hub log says why`);
      return current.set;
    });
  }

  /** Runs `work` after everything queued before it; one reconcile or kiosk at a time. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** A reconcile of the poll or the renewal timer: a failure is logged (once while it repeats) and tried again. */
  private async background(force: boolean): Promise<void> {
    // A poll still waiting behind a long reconcile (500 first snapshots) is enough: ticks do not pile up.
    if (!force && this.pollQueued) return;
    if (!force) this.pollQueued = true;
    try {
      await this.enqueue(() => {
        if (!force) this.pollQueued = false;
        return this.reconcile(force);
      });
      this.lastFailure = null;
    } catch (error) {
      const text = String((error as Error).message);
      if (this.lastFailure !== text) this.log.error({ err: error }, 'configuration sync failed; trying again at the next poll');
      this.lastFailure = text;
    }
  }

  private async changeStamp(): Promise<string> {
    let stamp = await this.deps.store.fingerprint();
    const key = this.deps.keys.read();
    stamp += `|${key.ok ? `${key.key.keyId}@${key.key.version}` : key.reason}`;
    // The rules store is followed only while HQ has published no global bundle.
    if (!(await this.deps.store.hqPublishedGlobal())) {
      const latest = await this.deps.rules.latestRulesBundle();
      stamp += `|${latest ? `${latest.version}:${this.digestOf(latest)}` : '-'}`;
    }
    return stamp;
  }

  private digestOf(bundle: RulesBundle): string {
    let digest = this.rulesDigestOf.get(bundle);
    if (!digest) {
      digest = rulesDigest(bundle);
      this.rulesDigestOf.set(bundle, digest);
    }
    return digest;
  }

  private async reconcile(force: boolean): Promise<void> {
    if (this.stopped) return;
    const stamp = await this.changeStamp();
    if (!force && stamp === this.fingerprint) return;
    // Forgotten until this reconcile has done its work: a failure half-way is looked at again at the next poll.
    this.fingerprint = '';
    const fleet = await activeKiosks(this.deps.fleet);
    this.kiosks = new Map(fleet.kiosks.map((k) => [k.deviceId, k]));
    this.revoked = fleet.revoked.map((d) => d.deviceId);
    this.deps.onRegions?.(fleet.regions);
    await this.clearRevoked();

    const read = this.deps.keys.read();
    if (!read.ok) {
      if (this.keyProblem !== read.reason) this.log.warn({ code: 'SIGNING_KEY_MISSING', reason: read.reason }, 'no configuration signing key: kiosks get no configuration until one is made (memberkiosk keys sign-key)');
      this.keyProblem = read.reason;
      this.keyId = null;
      this.fingerprint = stamp;
      return;
    }
    const key = read.key;
    if (this.keyId !== key.keyId) {
      if (this.keyId !== null) this.log.info({ keyId: key.keyId, version: key.version }, 'configuration signing key rotated: re-signing bundles and every kiosk’s snapshot');
      else this.log.info({ keyId: key.keyId, version: key.version, expires: key.expires }, 'configuration signing key loaded');
      this.keyId = key.keyId;
      this.keyProblem = null;
    }
    if (Date.parse(key.expires) - this.now() < 30 * DAY_MS && this.expiryWarned !== key.keyId) {
      this.log.warn({ expires: key.expires }, 'the configuration signing key expires within 30 days: make a new one (memberkiosk keys sign-key)');
      this.expiryWarned = key.keyId;
    }

    await this.followRulesStore(key);
    await this.refreshBundles(key);
    for (const { row, digest } of this.bundles.values()) {
      if (this.publishedBundles.get(row.scope) === digest || (row.scope.startsWith('device/') && this.revoked.includes(row.scope.slice('device/'.length)))) continue;
      this.deps.publish(this.deps.topics.config(row.scope), JSON.stringify(row.signed));
      this.publishedBundles.set(row.scope, digest);
    }
    if (this.stopped) return;
    await this.ensureKiosks([...this.kiosks.values()], key);
    this.fingerprint = stamp;
  }

  /** Newest bundle per scope, re-signed with the current key and a fresh expiry where needed. */
  private async refreshBundles(key: LoadedSigningKey): Promise<void> {
    const now = this.now();
    const bundles = new Map<string, { row: BundleRow; digest: string }>();
    for (let row of await this.deps.store.latestBundles()) {
      const body = row.signed.signed;
      if (row.keyId !== key.keyId || halfGone(body.issuedAt, body.expires, now)) {
        const issuedAt = new Date(now).toISOString();
        const signed = signConfig(key.privateKey, { ...body, issuedAt, expires: new Date(now + row.lifetimeDays * DAY_MS).toISOString() });
        await this.deps.store.resignBundle(row.scope, row.version, signed, key.keyId);
        row = { ...row, signed, keyId: key.keyId, expires: signed.signed.expires };
      }
      const known = this.bundles.get(row.scope);
      const digest = known && known.row.version === row.version && known.row.keyId === row.keyId && known.row.expires === row.expires ? known.digest : documentDigest(row.signed);
      bundles.set(row.scope, { row, digest });
    }
    this.bundles = bundles;
    this.signedBundles = new Map([...bundles].map(([scope, b]) => [scope, b.row.signed] as const));
  }

  /** A revoked kiosk's retained set and bundle are cleared (once per hub run): nothing of it stays on the broker. */
  private async clearRevoked(): Promise<void> {
    for (const deviceId of this.revoked) {
      if (this.cleared.has(deviceId)) continue;
      this.deps.publish(this.deps.topics.configSet(deviceId), '');
      this.deps.publish(this.deps.topics.config(`device/${deviceId}`), '');
      await this.deps.store.retireSnapshots(deviceId);
      this.cleared.add(deviceId);
      this.current.delete(deviceId);
      this.publishedSets.delete(deviceId);
    }
  }

  /** Whether the kiosk's current snapshot still fits: same key, store, region and scope versions, and more than half its life left. */
  private stillCurrent(kiosk: KioskTarget, key: LoadedSigningKey, scopes: SnapshotBody['scopes'], now: number): boolean {
    const current = this.current.get(kiosk.deviceId);
    const s = current?.row.signed.signed;
    return (
      current !== undefined &&
      s !== undefined &&
      current.row.keyId === key.keyId &&
      current.set.signingKey.signed.version === key.version &&
      s.storeId === kiosk.storeId &&
      s.regionId === kiosk.regionId &&
      s.scopes.length === scopes.length &&
      s.scopes.every((entry, i) => entry.scope === scopes[i]?.scope && entry.version === scopes[i]?.version && entry.digest === scopes[i]?.digest) &&
      !halfGone(s.issuedAt, s.expires, now)
    );
  }

  /**
   * Each kiosk's current set, made anew where its scopes, store, region or key changed or half its life is gone,
   * then published where not yet. The new snapshots of one pass are numbered in one transaction and stored in one
   * more, before any is published (a kiosk never holds a snapshot the hub could lose): a store-wide publish to
   * 500 kiosks costs two fsyncs, not a thousand. Answers the kiosks' sets in order (null: its scopes do not merge).
   */
  private async ensureKiosks(kiosks: readonly KioskTarget[], key: LoadedSigningKey): Promise<(CurrentSet | null)[]> {
    const now = this.now();
    const plans: { kiosk: KioskTarget; signedBundles: SignedConfig[]; scopes: SnapshotBody['scopes']; rulesVersion: number }[] = [];
    for (const kiosk of kiosks) {
      const signedBundles = bundlesForKiosk(kiosk, this.signedBundles);
      const scopes = signedBundles.map((b) => ({ scope: b.signed.scope, version: b.signed.version, digest: this.bundles.get(b.signed.scope)?.digest ?? documentDigest(b) }));
      if (this.stillCurrent(kiosk, key, scopes, now)) continue;
      try {
        plans.push({ kiosk, signedBundles, scopes, rulesVersion: await this.rulesVersionFor(mergeConfig(signedBundles.map((b) => b.signed.content))) });
      } catch (error) {
        this.log.error({ err: error, deviceId: kiosk.deviceId, scopes: scopes.map((e) => `${e.scope}@${e.version}`) }, 'a kiosk’s scopes do not merge into valid rules: it keeps its current snapshot');
      }
    }
    if (plans.length > 0) {
      const first = await this.deps.store.reserveSnapshotVersions(plans.length);
      const issuedAt = new Date(now).toISOString();
      const expires = new Date(now + (this.deps.snapshotDays ?? DEFAULT_SNAPSHOT_DAYS) * DAY_MS).toISOString();
      const made = plans.map(({ kiosk, signedBundles, scopes, rulesVersion }, i) => {
        const version = first + i;
        const snapshot = signSnapshot(key.privateKey, { type: 'snapshot', deviceId: kiosk.deviceId, storeId: kiosk.storeId, regionId: kiosk.regionId, version, rulesVersion, issuedAt, expires, scopes });
        const set: ConfigSet = { signingKey: key.certificate, snapshot, bundles: signedBundles };
        const row: SnapshotRow = { version, deviceId: kiosk.deviceId, rulesVersion, signed: snapshot, keyId: key.keyId, issuedAt, expires };
        return { row, set };
      });
      await this.deps.store.saveSnapshots(made);
      for (const current of made) this.current.set(current.row.deviceId, current);
      this.log.info({ snapshots: made.length, first, scopes: plans[0]!.scopes.map((e) => `${e.scope}@${e.version}`) }, 'configuration snapshots signed');
    }
    return kiosks.map((kiosk) => {
      const current = this.current.get(kiosk.deviceId) ?? null;
      if (current && this.publishedSets.get(kiosk.deviceId) !== current.row.version) {
        this.deps.publish(this.deps.topics.configSet(kiosk.deviceId), JSON.stringify(current.set));
        this.publishedSets.set(kiosk.deviceId, current.row.version);
      }
      return current;
    });
  }

  /** The rules version of merged rules: an existing one with the same content, or the next free number. */
  private async rulesVersionFor(effective: EffectiveConfig): Promise<number> {
    const checked = checkMergedRules(effective);
    if (!checked.ok) throw new CodedError('CONFIG_INVALID', 'the merged rules do not validate', { issues: checked.issues });
    const digest = rulesDigest(checked.bundle);
    const cached = this.rulesVersions.get(digest);
    if (cached !== undefined) return cached;
    const { rules, store } = this.deps;
    const at = new Date(this.now()).toISOString();
    const mapped = await store.rulesVersionByDigest(digest);
    if (mapped) {
      const existing = await rules.rulesBundle(mapped.rulesVersion);
      if (!existing) await rules.saveRulesBundle({ ...checked.bundle, version: mapped.rulesVersion });
      if (!existing || this.digestOf(existing) === digest) {
        this.rulesVersions.set(digest, mapped.rulesVersion);
        return mapped.rulesVersion;
      }
    }
    // The rules the hub already holds as its newest (a hub's own bundle before signed configuration).
    const latest = await rules.latestRulesBundle();
    if (latest && this.digestOf(latest) === digest) {
      await store.recordRulesVersion(digest, latest.version, 'ledger', at);
      this.rulesVersions.set(digest, latest.version);
      return latest.version;
    }
    const version = Math.max(latest?.version ?? 0, await store.maxRulesVersion()) + 1;
    await rules.saveRulesBundle({ ...checked.bundle, version });
    await store.recordRulesVersion(digest, version, 'merged', at);
    this.rulesVersions.set(digest, version);
    this.log.info({ rulesVersion: version }, 'new merged rules saved in the rules store');
    return version;
  }

  /**
   * The hub's rules store carried into the global scope while HQ has published no global bundle (see the top of
   * this file). The first time, the newest bundle is seeded whatever it merges to (kiosks then run core's default
   * rules merged with it, config-content.ts). Later, a newer bundle saved straight into the rules store (by SQL, or
   * a test) is followed only when merging changes nothing in it, so that following never makes a rules version of
   * its own (which would become the rules store's newest); otherwise the hub says HQ should publish it.
   */
  private async followRulesStore(key: LoadedSigningKey): Promise<void> {
    const { store, rules } = this.deps;
    if (await store.hqPublishedGlobal()) return;
    const latest = await rules.latestRulesBundle();
    if (!latest) return;
    const digest = this.digestOf(latest);
    const mapped = await store.rulesVersionByDigest(digest);
    // The hub's own merged rules are no new rules of HQ's.
    if (mapped?.origin === 'merged' && mapped.rulesVersion === latest.version) return;
    const seeded = await store.latestBundle('global');
    const seededRules = seeded?.signed.signed.content.rules;
    if (seededRules && rulesDigest(seededRules) === digest) return;
    if (this.seedRefused === digest) return;
    // The seeded global scope merges over core's default rules, which are format 2: a bundle stored without a
    // format (format 1, core/rules/bundle.ts) says so explicitly, so kiosks keep its meaning (rulesDigest treats both alike).
    const { version: _version, ...stored } = latest;
    const section = { ...stored, format: stored.format ?? 1 };
    if (seeded) {
      const merged = checkMergedRules(mergeConfig([{ rules: section }]));
      if (!merged.ok || rulesDigest(merged.bundle) !== digest) {
        this.seedRefused = digest;
        this.log.warn({ rulesVersion: latest.version }, 'the rules store holds newer rules than the global configuration; kiosks get them once HQ publishes them (memberkiosk config publish --scope global)');
        return;
      }
    }
    if (!mapped) await store.recordRulesVersion(digest, latest.version, 'ledger', new Date(this.now()).toISOString());
    try {
      const published = await publishConfig(
        { store, fleet: this.deps.fleet, signingKey: key },
        { scope: 'global', content: { rules: section }, publishedBy: 'hub', seededFromRules: latest.version, now: new Date(this.now()) },
      );
      this.log.info({ version: published.version, fromRulesVersion: latest.version }, 'global configuration seeded from the hub’s rules store (HQ has published no global bundle yet)');
    } catch (error) {
      this.seedRefused = digest;
      this.log.error({ err: error, rulesVersion: latest.version }, 'could not seed the global configuration from the hub’s rules bundle');
    }
  }

  /** The signing key as the hub reads it now, or why there is none. */
  keyState(): SigningKeyRead {
    return this.deps.keys.read();
  }
}
