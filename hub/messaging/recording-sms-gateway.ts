/**
 * A FAKE SMS gateway: it sends nothing, it records what it was asked to send. For tests and the demo (messaging
 * config `sms: { kind: 'recording' }`), where no real gateway may be called. A test may make its next sends fail the
 * way a real gateway does (message-sender.ts).
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { SmsGateway } from './message-sender.ts';

export interface RecordedSms {
  phone: string;
  text: string;
  providerId: string;
  at: string;
}

export interface RecordingSmsGatewayFake extends SmsGateway {
  /** Everything sent so far, oldest first. */
  readonly sent: readonly RecordedSms[];
  /** The next `times` sends throw this code instead of recording (SMS_GATEWAY_FAILED or MESSAGE_OUTCOME_UNKNOWN). */
  failNext(code: 'SMS_GATEWAY_FAILED' | 'MESSAGE_OUTCOME_UNKNOWN', times?: number): void;
}

export function createRecordingSmsGatewayFake(now: () => number = Date.now): RecordingSmsGatewayFake {
  const sent: RecordedSms[] = [];
  let failures: { code: 'SMS_GATEWAY_FAILED' | 'MESSAGE_OUTCOME_UNKNOWN'; left: number } | null = null;
  return {
    sent,
    failNext(code, times = 1) {
      failures = { code, left: times };
    },
    async send(phone, text) {
      if (failures && failures.left > 0) {
        failures.left -= 1;
        throw new CodedError(failures.code, 'the recording SMS gateway fake was told to fail');
      }
      const providerId = `fake-${sent.length + 1}`;
      sent.push({ phone, text, providerId, at: new Date(now()).toISOString() });
      return { providerId };
    },
  };
}
