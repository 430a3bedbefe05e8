/**
 * The configuration scopes a kiosk reads, broadest first: everything, its region, its store, itself. Each is a
 * topic `{base}/v1/config/{scope}` (core/wire/topics.ts) with sub-topics under it; the broker lets a kiosk read
 * these and no others (another store's prices or another kiosk's settings are not its business).
 */
export interface ScopedIdentity {
  deviceId: string;
  storeId: string;
  regionId: string;
}

export function configScopesOf(identity: ScopedIdentity): string[] {
  return ['global', `region/${identity.regionId}`, `store/${identity.storeId}`, `device/${identity.deviceId}`];
}
