/** Helpers for the rules tests: load an example bundle through the schema, build purchases tersely. */
import { readFileSync } from 'node:fs';
import { parseRulesBundle } from '../parse.ts';
import type { RulesBundle } from '../bundle.ts';
import type { MemberContext, PaymentInput, PurchaseContext, PurchaseLineInput } from '../types.ts';

export function example(name: string): RulesBundle {
  const url = new URL(`../examples/${name}.json`, import.meta.url);
  return parseRulesBundle(JSON.parse(readFileSync(url, 'utf8')));
}

export function member(overrides: Partial<MemberContext> = {}): MemberContext {
  return { memberId: 'M1', tier: 'standard', cumulativeSpendCents: 0, cumulativePointsEarned: 0, ...overrides };
}

/** A line of `yuan` whole yuan (qty 1) in category A unless told. */
export function line(lineNo: number, yuan: number, overrides: Partial<PurchaseLineInput> = {}): PurchaseLineInput {
  return { lineNo, sku: `SKU-${lineNo}`, category: 'A', qty: 1, unitPriceCents: yuan * 100, ...overrides };
}

export function purchase(
  lines: PurchaseLineInput[],
  options: { tier?: string; at?: string; storeId?: string; regionId?: string; payments?: PaymentInput[]; member?: Partial<MemberContext>; eventIds?: string[] } = {},
): PurchaseContext {
  const ctx: PurchaseContext = {
    at: options.at ?? '2025-01-10T10:00:00+08:00',
    storeId: options.storeId ?? 'S1',
    member: member({ tier: options.tier ?? 'standard', ...options.member }),
    lines,
    payments: options.payments ?? [],
  };
  if (options.regionId !== undefined) ctx.regionId = options.regionId;
  if (options.eventIds !== undefined) ctx.eventIds = options.eventIds;
  return ctx;
}
