/**
 * The SMS gateway as a plain JSON relay: `POST <url>` with `Authorization: Bearer <token>` and
 * `{ "phone": "13800138001", "text": "…", "signature": "【某某会员】" }`, answered 2xx with `{ "providerId": "…" }`
 * (or `{ "id": "…" }`) when the relay took the message.
 *
 * Chinese SMS providers (Aliyun SMS, Tencent Cloud SMS) each have their own signed API, registered templates and a
 * registered signature (短信签名), and their keys should not sit on every hub: a chain runs a small relay that holds
 * those keys and speaks this JSON, so the hub needs one generic client and no provider SDK. `signature` is the
 * registered signature the relay passes on.
 */
import type { SmsGateway } from './message-sender.ts';
import { postJson } from './post-json.ts';

export const SMS_GATEWAY_TIMEOUT_MS = 10_000;

export interface HttpSmsGatewayOptions {
  url: string;
  token: string;
  signature: string;
  timeoutMs?: number;
}

export function createHttpSmsGateway(options: HttpSmsGatewayOptions): SmsGateway {
  return {
    async send(phone, text) {
      const answer = await postJson(
        options.url,
        { phone, text, signature: options.signature },
        { headers: { authorization: `Bearer ${options.token}` }, timeoutMs: options.timeoutMs ?? SMS_GATEWAY_TIMEOUT_MS, refusedCode: 'SMS_GATEWAY_FAILED', what: 'the SMS gateway' },
      );
      const body = (answer.body ?? {}) as { providerId?: unknown; id?: unknown };
      const id = body.providerId ?? body.id;
      return { providerId: typeof id === 'string' || typeof id === 'number' ? String(id) : '' };
    },
  };
}
