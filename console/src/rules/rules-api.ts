/** The hub's Rules API (hub/http/rules-routes.ts) as the console's Rules page calls it. */
import { request } from '../api.ts';

export interface ScopeRow {
  scope: string;
  level: 'global' | 'region' | 'store' | 'device';
  name: string;
  parent: string | null;
  kiosks: number;
  version: number | null;
  publishedAt: string | null;
  publishedBy: string | null;
  hasRules: boolean;
}

export interface HistoryRow {
  version: number;
  publishedAt: string;
  publishedBy: string;
  expires: string;
  seededFromRules: number | null;
  rules: Record<string, unknown> | null;
  digest: string | null;
}

export interface ScopeRules {
  scope: string;
  chain: string[];
  latest: HistoryRow | null;
  history: HistoryRow[];
  inherited: Record<string, unknown>;
  effective: Record<string, unknown> | null;
}

export interface DraftIssue {
  code: 'RULES_INVALID' | 'CONFIG_INVALID';
  path: string;
  reason: string;
  source: 'draft' | 'inherited';
}

export interface TraceEntry {
  ruleId: string;
  /** English for the engine's own texts, as stored; HQ's label as written. */
  label: string;
  /** The step in each language (hub/http/rules-routes.ts, core/rules/trace-text.ts); absent from an older hub. */
  textZh?: string;
  textEn?: string;
  lineNo?: number;
  points?: number;
  cents?: number;
}

export type TryOutcome =
  | { ok: true; evaluation: { kind: string; result: { trace: TraceEntry[]; pointsEarned?: number; totalCents?: number; discountCents?: number; tierAfter?: string | null }; receipt: string[] } }
  | { ok: false; error: { code: string; message: string } };

export interface RolloutKiosk {
  deviceId: string;
  storeId: string;
  online: boolean | null;
  lastSeen: string | null;
  scopeVersion: number | null;
  snapshotVersion: number | null;
  status: 'applied' | 'refused' | 'pending';
  refusal: { code: string; detail: string | null } | null;
}

export interface Rollout {
  scope: string;
  version: number | null;
  kiosks: RolloutKiosk[];
  applied: number;
  refused: number;
  pending: number;
}

const q = (scope: string) => `scope=${encodeURIComponent(scope)}`;

export const rulesApi = {
  scopes: () => request<{ scopes: ScopeRow[] }>('GET', '/api/rules/scopes'),
  scope: (scope: string) => request<ScopeRules>('GET', `/api/rules/scope?${q(scope)}`),
  schema: () => request<Record<string, unknown>>('GET', '/api/rules/schema'),
  validate: (scope: string, rules: Record<string, unknown>) => request<{ valid: boolean; issues: DraftIssue[]; effective: Record<string, unknown> | null }>('POST', '/api/rules/validate', { scope, rules }),
  tryDraft: (scope: string, rules: Record<string, unknown>, input: Record<string, unknown>) => request<{ draft: TryOutcome; published: TryOutcome | null }>('POST', '/api/rules/try', { scope, rules, input }),
  publish: (body: { scope: string; baseVersion: number; rules?: Record<string, unknown>; fromVersion?: number }) =>
    request<{ scope: string; version: number; expires: string; kiosks: string[] }>('POST', '/api/rules/publish', body),
  rollout: (scope: string, version?: number) => request<Rollout>('GET', `/api/rules/rollout?${q(scope)}${version ? `&version=${version}` : ''}`),
};
