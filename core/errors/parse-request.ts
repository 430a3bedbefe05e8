/**
 * The one way an HTTP route (the kiosk's or the hub's) checks a request body or query with its zod schema: the
 * parsed value, or a coded error naming the first few things wrong by their path. Both APIs answer it alike.
 */
import type { z } from 'zod';
import { CodedError } from './coded-error.ts';
import type { ErrorCode } from './codes.ts';

export function parseRequest<T>(schema: z.ZodType<T>, value: unknown, code: ErrorCode = 'BAD_REQUEST'): T {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new CodedError(code, parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
}
