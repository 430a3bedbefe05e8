/**
 * The staff webhook as a WeCom (企业微信) or DingTalk (钉钉) group robot: both take
 * `{"msgtype":"text","text":{"content":"…"}}` at the robot's URL (the URL carries the robot's key or access token),
 * and both answer HTTP 200 with `{"errcode":0,"errmsg":"ok"}` — a refusal (a bad signature, too many messages a
 * minute) is also HTTP 200, with another errcode, so the errcode is what says whether the robot took the message.
 *
 * A DingTalk robot with "加签" (signing) switched on wants `timestamp` (milliseconds) and `sign` query parameters:
 * base64(HMAC-SHA256(key = secret, `${timestamp}\n${secret}`)). They are added when a secret is configured; a
 * WeCom robot has no signing, so it is configured without one.
 */
import { createHmac } from 'node:crypto';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { StaffWebhook } from './message-sender.ts';
import { postJson } from './post-json.ts';

export const STAFF_WEBHOOK_TIMEOUT_MS = 10_000;

export interface RobotWebhookOptions {
  url: string;
  /** DingTalk's signing secret (SEC…); absent: no signature. */
  secret?: string | null;
  timeoutMs?: number;
  now?: () => number;
}

/** DingTalk's robot signature of this moment. */
export function dingTalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** The robot's URL with the signature's query parameters, when it is signed. */
export function signedRobotUrl(url: string, secret: string | null | undefined, timestamp: number): string {
  if (!secret) return url;
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(timestamp));
  signed.searchParams.set('sign', dingTalkSign(secret, timestamp));
  return signed.toString();
}

export function createRobotWebhook(options: RobotWebhookOptions): StaffWebhook {
  const now = options.now ?? Date.now;
  return {
    async post(text) {
      const url = signedRobotUrl(options.url, options.secret, now());
      const answer = await postJson(url, { msgtype: 'text', text: { content: text } }, { timeoutMs: options.timeoutMs ?? STAFF_WEBHOOK_TIMEOUT_MS, refusedCode: 'STAFF_WEBHOOK_FAILED', what: 'the staff webhook' });
      const body = answer.body as { errcode?: unknown; errmsg?: unknown } | null;
      // An answer without an errcode (a relay in front of the robot) is taken at its 2xx.
      if (body !== null && typeof body === 'object' && body.errcode !== undefined && body.errcode !== 0) {
        throw new CodedError('STAFF_WEBHOOK_FAILED', `the staff webhook refused the message (errcode ${JSON.stringify(body.errcode)}: ${JSON.stringify(body.errmsg ?? '')})`, { errcode: body.errcode });
      }
    },
  };
}
