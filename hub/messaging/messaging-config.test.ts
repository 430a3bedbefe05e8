/** The hub configuration's messaging section: off by default (also inside the hub's own schema), the senders it names, what it refuses. */
import { describe, expect, it } from 'vitest';
import { hubConfigSchema } from '../main.ts';
import { messagingConfigSchema, sendersFromConfig } from './messaging-config.ts';

describe('the messaging configuration', () => {
  it('is all off unless configured, in the hub configuration too', () => {
    expect(messagingConfigSchema.parse(undefined)).toEqual({ sms: null, staffWebhook: null, inboundToken: null });
    const hub = hubConfigSchema.parse({ dataDir: '/tmp/x', broker: { mode: 'embedded' } });
    expect(hub.messaging).toEqual({ sms: null, staffWebhook: null, inboundToken: null });
    expect(sendersFromConfig(hub.messaging)).toEqual({ sms: null, staffWebhook: null });
  });

  it('takes an HTTP relay, the recording fake, a robot with or without a secret', () => {
    const config = messagingConfigSchema.parse({
      sms: { kind: 'http', url: 'https://sms-relay.example.cn/send', token: 'tok', signature: '【某某会员】' },
      staffWebhook: { url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: 'SEC123' },
      inboundToken: 'a-long-inbound-token-123',
    });
    expect(config.staffWebhook).toEqual({ url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: 'SEC123' });
    const senders = sendersFromConfig(config);
    expect(typeof senders.sms?.send).toBe('function');
    expect(typeof senders.staffWebhook?.post).toBe('function');
    const recording = sendersFromConfig(messagingConfigSchema.parse({ sms: { kind: 'recording' }, staffWebhook: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' } }));
    expect(recording.sms && 'sent' in recording.sms).toBe(true);
    expect(messagingConfigSchema.parse({ staffWebhook: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' } }).staffWebhook).toEqual({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', secret: null });
  });

  it('refuses a short inbound token, a non-http URL, an unknown SMS kind, a relay without its token', () => {
    for (const bad of [
      { inboundToken: 'short' },
      { staffWebhook: { url: 'ftp://robot.example/send' } },
      { sms: { kind: 'aliyun' } },
      { sms: { kind: 'http', url: 'https://relay.example/send', signature: '【x】' } },
    ]) {
      expect(messagingConfigSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
