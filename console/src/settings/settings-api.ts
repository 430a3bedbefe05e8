/** The hub's retention (hub/http/retention-routes.ts) and member-field (member-profile-routes.ts) APIs as the Settings page calls them. */
import { query, request } from '../api.ts';
import type { MemberFieldDef } from '../../../hub/ledger/member-profile-store.ts';
import type { RetentionPreview, RetentionRunResult } from '../../../hub/hq/apply-retention.ts';
import type { RetentionRules, RetentionRun, RetentionSettings } from '../../../hub/ledger/retention-store.ts';

export type { MemberFieldDef, RetentionPreview, RetentionRules, RetentionRun, RetentionSettings };
export type FieldInput = Omit<MemberFieldDef, 'position'>;

export const settingsApi = {
  retention: () => request<{ settings: RetentionSettings; runs: RetentionRun[]; minimums: RetentionRules }>('GET', '/api/settings/retention'),
  saveRetention: (rules: RetentionRules) => request<{ settings: RetentionSettings }>('PUT', '/api/settings/retention', rules),
  /** What the rules given (not yet saved, perhaps) would do now. */
  preview: (rules: RetentionRules) =>
    request<RetentionPreview>('GET', `/api/retention/preview${query({ contactMonths: rules.contactMonths ?? 'off', inactiveMonths: rules.inactiveMonths ?? 'off', limit: 50 })}`),
  run: () => request<RetentionRunResult>('POST', '/api/retention/run'),
  fields: () => request<{ fields: MemberFieldDef[] }>('GET', '/api/member-fields'),
  saveFields: (fields: FieldInput[]) => request<{ fields: MemberFieldDef[] }>('PUT', '/api/member-fields', { fields }),
};
