/**
 * The driver subset of the project's error codes (core/errors/codes.ts holds them all). Reported in
 * DriverHealth.lastError and in logs; the device publishes them in its reported state, so never rename.
 */
import { ERROR_CODES, type ErrorCode } from '../core/errors/codes.ts';

export type DriverErrorCode = Extract<ErrorCode, `DRIVER_${string}`>;

export const DRIVER_ERROR_CODES = Object.fromEntries(
  Object.entries(ERROR_CODES).filter(([code]) => code.startsWith('DRIVER_')),
) as { readonly [K in DriverErrorCode]: (typeof ERROR_CODES)[K] };
