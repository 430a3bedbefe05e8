/**
 * The two ways the hub sends a message (issue 14's pluggable sender): an SMS gateway for members, and the staff
 * webhook (a WeCom or DingTalk group robot) for a store's managers. The message service (message-service.ts) decides
 * whether a message may go and records what became of it; a sender only delivers.
 *
 * A sender that fails throws a CodedError saying which of two things happened, because the service's at-most-once
 * promise depends on it:
 * - its own code (SMS_GATEWAY_FAILED, STAFF_WEBHOOK_FAILED): the gateway answered that it did not take the message,
 *   or could not be reached at all — it certainly did not go, and the same key may try again later;
 * - MESSAGE_OUTCOME_UNKNOWN: no answer in time, or the connection broke once the request was out — it may have
 *   gone, so it is never sent again under that key.
 */
export interface SmsGateway {
  /** Sends `text` to `phone` (as the member record holds it); answers the provider's id for the message. */
  send(phone: string, text: string): Promise<{ providerId: string }>;
}

export interface StaffWebhook {
  /** Posts `text` to the managers' group chat. */
  post(text: string): Promise<void>;
}
