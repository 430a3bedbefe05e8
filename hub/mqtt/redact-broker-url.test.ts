import { describe, expect, it } from 'vitest';
import { redactBrokerUrl } from './redact-broker-url.ts';

describe('redactBrokerUrl', () => {
  it('hides the password and keeps the user, host and port', () => {
    expect(redactBrokerUrl('mqtt://hub:s3cr%40t@broker.lan:1883')).toBe('mqtt://hub:***@broker.lan:1883');
    expect(redactBrokerUrl('mqtts://hub:pw@10.0.0.5:8883')).toBe('mqtts://hub:***@10.0.0.5:8883');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactBrokerUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
    expect(redactBrokerUrl('mqtt://hub@127.0.0.1:1883')).toBe('mqtt://hub@127.0.0.1:1883');
  });

  it('still hides a password in something that does not parse as a URL', () => {
    expect(redactBrokerUrl('mqtt://hub:pw@[bad')).toBe('mqtt://hub:***@[bad');
  });
});
