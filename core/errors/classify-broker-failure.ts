/**
 * What a failed attempt to reach the broker means for the operator, as a stable log code and level (the hub's
 * client and a kiosk's link alike).
 * Unreachable is ordinary while a broker starts or restarts (warn); refused credentials will not fix
 * themselves, but the operator may fix the password file, so they are retried and logged at error each time.
 */
import type { ErrorCode } from './codes.ts';

export type BrokerFailureCode = Extract<ErrorCode, 'BROKER_UNREACHABLE' | 'BROKER_AUTH_REFUSED' | 'BROKER_CONNECT_REFUSED'>;

export interface BrokerFailure {
  code: BrokerFailureCode;
  level: 'warn' | 'error';
}

/** CONNACK return codes (MQTT 3.1.1) and reason codes (MQTT 5) that say the credentials were refused. */
const AUTH_REFUSED = new Set([4, 5, 134, 135]);
/** "Server unavailable" / "Server busy": the broker is there but not serving yet. */
const SERVER_UNAVAILABLE = new Set([3, 136, 137]);

/** mqtt.js reports a CONNACK refusal as an error whose `code` is the number the broker sent. */
export function isConnackRefusal(error: unknown): boolean {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'number';
}

export function classifyBrokerFailure(error: Error | undefined): BrokerFailure {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'number' || SERVER_UNAVAILABLE.has(code)) return { code: 'BROKER_UNREACHABLE', level: 'warn' };
  if (AUTH_REFUSED.has(code)) return { code: 'BROKER_AUTH_REFUSED', level: 'error' };
  return { code: 'BROKER_CONNECT_REFUSED', level: 'error' };
}
