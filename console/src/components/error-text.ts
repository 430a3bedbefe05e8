/** What a failed hub call says to the user: the hub's own coded message for a refusal, else the error's text. */
import { ApiError } from '../api.ts';

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}
