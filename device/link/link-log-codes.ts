/**
 * The log codes the link writes when it refuses to act on something, for operators. In a file of their own
 * because every part of the link logs with them (delivery, look-ups, presence, the transport), and those parts
 * need not import the delivery machine to name a code.
 */
import type { ErrorCode } from '../../core/errors/codes.ts';

/** Log codes for what the link refuses to act on, for operators; each is a code of core's registry. */
export const LINK_LOG_CODES = {
  resultMalformed: 'TX_RESULT_MALFORMED',
  resultWithoutId: 'TX_RESULT_WITHOUT_ID',
  responseMalformed: 'LOOKUP_RESPONSE_MALFORMED',
  linkError: 'LINK_ERROR',
  stalled: 'LINK_STALLED',
  stateTooLarge: 'STATE_REPORT_TOO_LARGE',
} as const satisfies Record<string, ErrorCode>;
