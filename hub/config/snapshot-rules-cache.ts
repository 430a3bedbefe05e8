/**
 * Which rules version each signed snapshot carries, kept in memory by the PostgreSQL configuration store: the
 * ledger asks it for every kiosk transaction it plans, synchronously (ConfigStore.snapshotRulesVersion), and a
 * database round trip there is not possible. A few numbers per snapshot: a chain of 5,000 kiosks with 100
 * configuration changes each keeps 500,000 entries (tens of MB), which is what the hub's ledger would read anyway.
 */
interface DeviceSnapshots {
  newest: number;
  /** snapshot version → rules version */
  versions: Map<number, number>;
}

export class SnapshotRulesCache {
  private readonly byDevice = new Map<string, DeviceSnapshots>();

  add(deviceId: string, version: number, rulesVersion: number): void {
    const known = this.byDevice.get(deviceId);
    if (!known) {
      this.byDevice.set(deviceId, { newest: version, versions: new Map([[version, rulesVersion]]) });
      return;
    }
    known.versions.set(version, rulesVersion);
    if (version > known.newest) known.newest = version;
  }

  /** As ConfigStore.snapshotRulesVersion: null when this kiosk has no such snapshot (or none at all). */
  rulesOf(deviceId: string, version: number | 'newest'): number | null {
    const known = this.byDevice.get(deviceId);
    if (!known) return null;
    return known.versions.get(version === 'newest' ? known.newest : version) ?? null;
  }

  clear(): void {
    this.byDevice.clear();
  }
}
