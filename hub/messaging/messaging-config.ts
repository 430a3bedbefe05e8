/**
 * The hub configuration's `messaging` section: how messages from the hub's flows go out. Everything is off (null)
 * until a chain configures it; a message with no way to go is recorded as skipped-no-contact, never lost silently.
 *
 * - `sms`: the SMS relay (http-sms-gateway.ts) with its bearer token and the registered signature, or the recording
 *   fake (`recording`: nothing is sent — the demo and tests).
 * - `staffWebhook`: a WeCom or DingTalk group robot's URL, with DingTalk's signing secret if it signs (robot-webhook.ts).
 * - `inboundToken`: the bearer token the relay uses to forward members' SMS replies (POST /api/messaging/sms-inbound,
 *   where "T" unsubscribes); null: that route does not exist.
 * Tokens and secrets belong in the hub's configuration file, never in the repository.
 */
import { z } from 'zod';
import { createHttpSmsGateway } from './http-sms-gateway.ts';
import type { SmsGateway, StaffWebhook } from './message-sender.ts';
import { createRecordingSmsGatewayFake } from './recording-sms-gateway.ts';
import { createRobotWebhook } from './robot-webhook.ts';

const httpUrl = z.string().url().refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL');

export const messagingConfigSchema = z
  .object({
    sms: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('http'), url: httpUrl, token: z.string().min(1), signature: z.string().min(1).max(40) }),
        z.object({ kind: z.literal('recording') }),
      ])
      .nullable()
      .default(null),
    staffWebhook: z.object({ url: httpUrl, secret: z.string().min(1).nullable().default(null) }).nullable().default(null),
    // Long enough not to be guessed: the route it opens changes members' consents.
    inboundToken: z.string().min(16).nullable().default(null),
  })
  .default({ sms: null, staffWebhook: null, inboundToken: null });

export type MessagingConfig = z.output<typeof messagingConfigSchema>;

/** The senders the configuration names (null where it names none). */
export function sendersFromConfig(config: MessagingConfig): { sms: SmsGateway | null; staffWebhook: StaffWebhook | null } {
  const sms = config.sms === null ? null : config.sms.kind === 'http' ? createHttpSmsGateway(config.sms) : createRecordingSmsGatewayFake();
  const staffWebhook = config.staffWebhook === null ? null : createRobotWebhook(config.staffWebhook);
  return { sms, staffWebhook };
}
