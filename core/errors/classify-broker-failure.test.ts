import { describe, expect, it } from 'vitest';
import { classifyBrokerFailure, isConnackRefusal } from './classify-broker-failure.ts';

/** mqtt.js reports a refused CONNACK as an Error whose `code` is the number the broker answered. */
const connackRefused = (code: number) => Object.assign(new Error(`Connection refused: ${code}`), { code });

describe('classifyBrokerFailure', () => {
  it('takes network errors and "server unavailable" for a broker not up yet (warn)', () => {
    expect(classifyBrokerFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual({ code: 'BROKER_UNREACHABLE', level: 'warn' });
    expect(classifyBrokerFailure(new Error('connack timeout'))).toEqual({ code: 'BROKER_UNREACHABLE', level: 'warn' });
    expect(classifyBrokerFailure(undefined)).toEqual({ code: 'BROKER_UNREACHABLE', level: 'warn' });
    expect(classifyBrokerFailure(connackRefused(3))).toEqual({ code: 'BROKER_UNREACHABLE', level: 'warn' });
  });

  it('takes "bad user name or password" and "not authorized" for refused credentials (error)', () => {
    expect(classifyBrokerFailure(connackRefused(4))).toEqual({ code: 'BROKER_AUTH_REFUSED', level: 'error' });
    expect(classifyBrokerFailure(connackRefused(5))).toEqual({ code: 'BROKER_AUTH_REFUSED', level: 'error' });
  });

  it('takes any other refusal (protocol version, client id) as refused, at error', () => {
    expect(classifyBrokerFailure(connackRefused(1))).toEqual({ code: 'BROKER_CONNECT_REFUSED', level: 'error' });
    expect(classifyBrokerFailure(connackRefused(2))).toEqual({ code: 'BROKER_CONNECT_REFUSED', level: 'error' });
  });

  it('tells a CONNACK refusal from a socket error by its numeric code', () => {
    expect(isConnackRefusal(connackRefused(5))).toBe(true);
    expect(isConnackRefusal(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isConnackRefusal('not an error')).toBe(false);
  });
});
