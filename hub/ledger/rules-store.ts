/** The rules bundles the hub holds: every version a kiosk may name, so the hub recomputes with the very same rules. */
import type { RulesBundle } from '../../core/rules/bundle.ts';

export interface RulesStore {
  saveRulesBundle(bundle: RulesBundle): Promise<void>;
  rulesBundle(version: number): Promise<RulesBundle | null>;
  latestRulesBundle(): Promise<RulesBundle | null>;
}
