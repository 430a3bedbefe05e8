/** The building blocks of the rules bundle's schema, shared by bundle.ts and bundle-accounts.ts. */
import { z } from 'zod';

/** "1.5" → 1.5 exactly, as a string; at most 4 decimals and 9 integer digits. */
export const decimalSchema = z
  .string()
  .regex(/^\d{1,9}(\.\d{1,4})?$/, 'must be a decimal number written as a string with at most 4 decimals, e.g. "1.5"');

export const cents = z.number().int('must be whole cents').nonnegative('must not be negative');
export const points = z.number().int('must be whole points').nonnegative('must not be negative');
export const positiveInt = z.number().int('must be a whole number').positive('must be positive');
export const name = z.string().min(1, 'must not be empty');
export const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a local date YYYY-MM-DD');
export const monthDay = z.string().regex(/^\d{2}-\d{2}$/, 'must be a month and day MM-DD');
export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM (00:00–23:59)');

