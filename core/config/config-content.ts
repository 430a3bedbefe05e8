/**
 * What one scope's configuration bundle holds. Every section is optional: a narrower scope sets only what it
 * changes. Merging (merge-config.ts) takes each section from the narrowest scope that has it, except `rules`,
 * whose `rules` array merges by rule id (a store adds a promotion or replaces one rule, and keeps the chain's).
 */
import { z } from 'zod';
import { offlineLimitsSchema } from './offline-limits.ts';

const name = z.string().min(1).max(80);
const localisedText = z.strictObject({ 'zh-CN': z.string().min(1).max(200), en: z.string().min(1).max(200).optional() });

/** An item the kiosk offers on its screen (the shop). */
export const offeredItemSchema = z.strictObject({
  sku: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
  category: name,
  priceCents: z.number().int().positive(),
  name: localisedText,
});

export const receiptTextSchema = z.strictObject({
  /** Lines above the items (store name, address, phone). */
  header: z.array(localisedText).max(8).optional(),
  /** Lines below the total (thanks, return policy, hotline). */
  footer: z.array(localisedText).max(8).optional(),
});

export const screenSettingsSchema = z.strictObject({
  defaultLocale: z.enum(['zh-CN', 'en']).optional(),
  /** A member's session ends after this long without a touch. */
  idleSeconds: z.number().int().min(10).max(600).optional(),
});

/**
 * Rules as HQ writes them for one scope: the rules bundle's fields without its version (the hub numbers the
 * merged result). Checked as a whole rules bundle after merging, so a narrower scope may carry only a part.
 */
export const rulesSectionSchema = z.record(z.string(), z.unknown()).refine((value) => !('version' in value), 'the hub numbers the merged rules: leave version out');

export const configContentSchema = z.strictObject({
  rules: rulesSectionSchema.optional(),
  offlineLimits: offlineLimitsSchema.optional(),
  receipt: receiptTextSchema.optional(),
  items: z.array(offeredItemSchema).max(500).optional(),
  /** Gift ids (of the rules' gift catalogue) this kiosk offers; absent: all of them. */
  gifts: z.array(name).max(500).optional(),
  screen: screenSettingsSchema.optional(),
});
export type ConfigContent = z.infer<typeof configContentSchema>;
export type OfferedItem = z.infer<typeof offeredItemSchema>;
