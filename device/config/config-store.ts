/**
 * The kiosk's signed configuration (core/config): the set it runs under, in one JSON file beside what it has
 * held (signing-key, snapshot and scope versions) and its last refusal. It replaces the unsigned rules cache:
 * the rules the kiosk prices with, the numbers its transactions name, its receipt texts, the items it offers and
 * its offline limits all come from the accepted set.
 *
 * - Every set is checked by core's acceptConfigSet (root → signing key → snapshot → bundles) against the HQ root
 *   pinned at enrolment and the versions held: all or nothing.
 * - `held` is written in the same file as the set, so the rollback protection survives a restart and can never
 *   disagree with the set on disk.
 * - The file is replaced whole: written to `config.json.tmp`, fsynced, renamed over `config.json`, and the
 *   directory fsynced. A kiosk killed anywhere in between comes back on one complete snapshot, the old or the
 *   new, never a mix. A stray temporary file from such a kill is removed on open.
 * - On open the stored set is checked again (signatures, scope) at the time it was accepted, so a snapshot
 *   that has since expired still loads: the kiosk keeps serving balances and earning with it and only stops
 *   offline spending (offline-guard.ts) until the hub renews it.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { acceptConfigSet, snapshotExpired, type AcceptedConfig, type HeldConfig } from '../../core/config/accept-config-set.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';

export interface ConfigRefusal {
  /** A ConfigRefusalCode (core/config/accept-config-set.ts). */
  code: string;
  detail: string;
  /** The snapshot version refused, when the set got far enough to name one. */
  version: number | null;
  /** When (the kiosk's clock corrected by the hub's offset). */
  at: string;
}

export type OfferOutcome =
  | { status: 'applied'; config: AcceptedConfig }
  | { status: 'unchanged' }
  /** `repeated`: the same refusal as the last one (the retained set again on reconnect): nothing new to tell. */
  | { status: 'refused'; refusal: ConfigRefusal; repeated: boolean };

/** What the state report and GET /api/state say about the configuration. */
export interface ConfigSummary {
  snapshotVersion: number | null;
  rulesVersion: number | null;
  regionId: string | null;
  /** scope → version, of the snapshot applied. */
  scopeVersions: Record<string, number>;
  expires: string | null;
  expired: boolean;
  lastRefusal: ConfigRefusal | null;
}

export interface ConfigStore {
  /** The set applied, checked and merged; null until the kiosk has accepted one. */
  current(): AcceptedConfig | null;
  held(): HeldConfig;
  lastRefusal(): ConfigRefusal | null;
  /** The rules the kiosk prices with: the snapshot's numbered rules. */
  rules(): RulesBundle | null;
  /** What transactions name as bundleVersion: the snapshot's rulesVersion; 0 without one (the hub applies its latest). */
  rulesVersion(): number;
  /** What transactions name as snapshotVersion; undefined without a snapshot. */
  snapshotVersion(): number | undefined;
  /** A kiosk holding a snapshot past its expiry: false when it holds none (nothing to expire). */
  expired(nowMs: number): boolean;
  /**
   * Checks a set and applies it when accepted (durably, before this returns). `nowMs`: the kiosk's clock
   * corrected by the offset it measured against the hub. Throws only when the file cannot be written; the
   * configuration in force is then unchanged.
   */
  offer(set: unknown, nowMs: number): OfferOutcome;
  summary(nowMs: number): ConfigSummary;
}

export interface ConfigStoreOptions {
  path: string;
  deviceId: string;
  storeId: string;
  /** HQ's root public key pinned at enrolment; null: every set is refused (CONFIG_NO_TRUST_ROOT). */
  hqRootPublicKeyPem: string | null;
  logger: Logger;
  /** Tests: runs after the temporary file is written and before it is renamed (a kill mid-apply). */
  beforeRename?: () => void;
}

const NOTHING_HELD: HeldConfig = { signingKeyVersion: 0, snapshotVersion: 0, scopeVersions: {} };
const FILE_FORMAT = 1;

const refusalSchema = z.object({ code: z.string(), detail: z.string(), version: z.number().int().nullable(), at: z.string() });
const storedSchema = z.object({
  format: z.literal(FILE_FORMAT),
  held: z.object({
    signingKeyVersion: z.number().int().nonnegative(),
    snapshotVersion: z.number().int().nonnegative(),
    scopeVersions: z.record(z.string(), z.number().int().nonnegative()),
  }),
  /** The set as it came (signed), checked again on open. */
  set: z.unknown(),
  /** The corrected time it was accepted at: what it is checked again at. */
  acceptedAtMs: z.number().nullable(),
  lastRefusal: refusalSchema.nullable(),
});
type StoredConfig = z.infer<typeof storedSchema>;

export function openConfigStore(opts: ConfigStoreOptions): ConfigStore {
  const { path, logger: log } = opts;
  const temporary = `${path}.tmp`;
  if (existsSync(temporary)) {
    // A kill between writing the new set and renaming it: the file at `path` is still the last complete one.
    rmSync(temporary, { force: true });
    log.warn({ path: temporary }, 'an interrupted configuration apply left a temporary file; removed it and kept the last complete configuration');
  }

  let stored: StoredConfig = { format: FILE_FORMAT, held: NOTHING_HELD, set: null, acceptedAtMs: null, lastRefusal: null };
  let current: AcceptedConfig | null = null;
  if (existsSync(path)) {
    const parsed = storedSchema.safeParse(safeJson(readFileSync(path, 'utf8')));
    if (!parsed.success) {
      log.error({ code: 'CONFIG_MALFORMED', path }, 'the stored configuration is unreadable; waiting for the hub to send one');
    } else {
      stored = parsed.data;
      if (stored.set !== null && stored.set !== undefined && stored.acceptedAtMs !== null) {
        const again = acceptConfigSet({ hqRootPublicKeyPem: opts.hqRootPublicKeyPem, deviceId: opts.deviceId, storeId: opts.storeId, held: NOTHING_HELD, nowMs: stored.acceptedAtMs, set: stored.set });
        if (again.status === 'accepted') current = again.config;
        else if (again.status === 'refused') log.error({ code: again.code, detail: again.detail, path }, 'the stored configuration no longer checks out; waiting for the hub to send one');
      }
    }
  }

  function write(next: StoredConfig): void {
    const text = JSON.stringify(next);
    const fd = openSync(temporary, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    opts.beforeRename?.();
    renameSync(temporary, path);
    fsyncDirectory(dirname(path));
  }

  function summaryOf(config: AcceptedConfig | null, nowMs: number): ConfigSummary {
    const snapshot = config?.snapshot ?? null;
    return {
      snapshotVersion: snapshot?.version ?? null,
      rulesVersion: snapshot?.rulesVersion ?? null,
      regionId: snapshot?.regionId ?? null,
      scopeVersions: Object.fromEntries((snapshot?.scopes ?? []).map((s) => [s.scope, s.version])),
      expires: snapshot?.expires ?? null,
      expired: snapshot !== null && snapshotExpired(snapshot, nowMs),
      lastRefusal: stored.lastRefusal,
    };
  }

  return {
    current: () => current,
    held: () => stored.held,
    lastRefusal: () => stored.lastRefusal,
    rules: () => current?.rules ?? null,
    rulesVersion: () => current?.snapshot.rulesVersion ?? 0,
    snapshotVersion: () => current?.snapshot.version,
    expired: (nowMs) => current !== null && snapshotExpired(current.snapshot, nowMs),

    offer(set, nowMs) {
      const outcome = acceptConfigSet({ hqRootPublicKeyPem: opts.hqRootPublicKeyPem, deviceId: opts.deviceId, storeId: opts.storeId, held: stored.held, nowMs, set });
      if (outcome.status === 'unchanged') return outcome;
      if (outcome.status === 'refused') {
        const refusal: ConfigRefusal = { code: outcome.code, detail: outcome.detail, version: outcome.version ?? null, at: new Date(nowMs).toISOString() };
        const last = stored.lastRefusal;
        if (last !== null && last.code === refusal.code && last.version === refusal.version && last.detail === refusal.detail) return { status: 'refused', refusal: last, repeated: true };
        const next = { ...stored, lastRefusal: refusal };
        write(next);
        stored = next;
        return { status: 'refused', refusal, repeated: false };
      }
      const { config } = outcome;
      const next: StoredConfig = {
        format: FILE_FORMAT,
        held: {
          signingKeyVersion: config.signingKey.version,
          snapshotVersion: config.snapshot.version,
          // A scope the new snapshot leaves out keeps its version held: it cannot come back older later.
          scopeVersions: { ...stored.held.scopeVersions, ...Object.fromEntries(config.snapshot.scopes.map((s) => [s.scope, s.version])) },
        },
        set,
        acceptedAtMs: nowMs,
        lastRefusal: stored.lastRefusal,
      };
      write(next);
      stored = next;
      current = config;
      return { status: 'applied', config };
    },

    summary: (nowMs) => summaryOf(current, nowMs),
  };
}

/** The rename is on disk only once its directory is; a platform that cannot open a directory skips it. */
function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    closeSync(fd);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
