/**
 * A member as the kiosk and the console see them (moved out of postgres-ledger-store.ts): the view of
 * postgres-member-reads.ts, read in one snapshot, with the rules of the kiosk's newest signed snapshot where a kiosk
 * asks (what it shows matches what it will apply) and the member's credit summary on top.
 */
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { MemberView } from '../../../core/wire/lookup.ts';
import { memberCreditSummary } from '../../credit/member-credit.ts';
import type { CreditStore } from '../credit-store.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import { buildMemberView } from './postgres-member-reads.ts';
import type { PostgresRulesBundles } from './postgres-rules-bundles.ts';
import type { SyncReads } from './sync-reads.ts';

export interface MemberViewDeps {
  /** A read in one read-only snapshot (the store's). */
  snapshot: <T>(read: (reads: SyncReads, readers: RowReaders) => T) => Promise<T>;
  bundles: PostgresRulesBundles;
  snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null;
  /** The store's credit sub-store (throws while it is closed). */
  credit: () => CreditStore;
}

export class PostgresMemberViews {
  constructor(private readonly deps: MemberViewDeps) {}

  async byCard(cardUid: string, historyLimit: number, forDevice: string | undefined): Promise<MemberView | null> {
    const asOf = new Date().toISOString();
    const rules = this.rulesForDevice(forDevice);
    const view = await this.deps.snapshot((reads, readers) => {
      const card = readers.card(cardUid);
      return card ? buildMemberView(reads, readers, card, historyLimit, rules, this.deps.bundles.latest(), asOf) : null;
    });
    return this.withCredit(view);
  }

  async byId(memberId: string, historyLimit: number): Promise<MemberView | null> {
    const asOf = new Date().toISOString();
    const rules = this.rulesForDevice(undefined);
    const view = await this.deps.snapshot((reads, readers) => {
      const cards = readers.cardsOfMember(memberId);
      const card = cards.find((c) => c.status === 'active') ?? cards.at(-1);
      return card ? buildMemberView(reads, readers, card, historyLimit, rules, this.deps.bundles.latest(), asOf) : null;
    });
    return this.withCredit(view);
  }

  private rulesForDevice(deviceId: string | undefined): RulesBundle {
    const snapshotVersion = deviceId === undefined ? null : (this.deps.snapshotRules?.(deviceId, 'newest') ?? null);
    return this.deps.bundles.bundleFor(snapshotVersion ?? 0);
  }

  private async withCredit(view: MemberView | null): Promise<MemberView | null> {
    const bundle = this.deps.bundles.latest();
    if (!view || !bundle) return view;
    const credit = await memberCreditSummary(this.deps.credit(), bundle, view.memberId, view.asOf);
    return credit ? { ...view, credit } : view;
  }
}
