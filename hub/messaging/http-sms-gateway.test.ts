/**
 * The SMS relay client against a real HTTP server on loopback: the JSON it posts and its bearer token, the provider
 * id it answers; a relay answering non-2xx, and one that cannot be reached, are SMS_GATEWAY_FAILED (not sent); no
 * answer in time and a connection broken once the request was in are MESSAGE_OUTCOME_UNKNOWN (it may have gone).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port.ts';
import { createHttpSmsGateway } from './http-sms-gateway.ts';
import { startCapturingServer, type CapturingServer } from './test-support/capturing-server.ts';

describe('the HTTP SMS relay client (real local HTTP server)', () => {
  let relay: CapturingServer;
  const gateway = (timeoutMs?: number) => createHttpSmsGateway({ url: relay.url, token: 'relay-token-0123456789', signature: '【演示会员】', ...(timeoutMs ? { timeoutMs } : {}) });
  beforeAll(async () => {
    relay = await startCapturingServer('/sms/send');
  });
  afterAll(async () => relay.close());
  beforeEach(() => {
    relay.requests.length = 0;
  });

  it('posts phone, text and signature with the bearer token, and answers the provider id', async () => {
    relay.answerWith({ status: 200, body: { providerId: 'ali-7781' } });
    expect(await gateway().send('13800138001', '生日快乐')).toEqual({ providerId: 'ali-7781' });
    const [request] = relay.requests;
    expect(request!.url.pathname).toBe('/sms/send');
    expect(request!.headers.authorization).toBe('Bearer relay-token-0123456789');
    expect(request!.body).toEqual({ phone: '13800138001', text: '生日快乐', signature: '【演示会员】' });
    relay.answerWith({ status: 202, body: { id: 991 } });
    expect(await gateway().send('13800138001', 'x')).toEqual({ providerId: '991' });
  });

  it('a non-2xx answer is SMS_GATEWAY_FAILED with its status', async () => {
    relay.answerWith({ status: 500, body: { error: 'template not approved' } });
    await expect(gateway().send('13800138001', 'x')).rejects.toMatchObject({ code: 'SMS_GATEWAY_FAILED', details: { status: 500 } });
    relay.answerWith({ status: 401 });
    await expect(gateway().send('13800138001', 'x')).rejects.toMatchObject({ code: 'SMS_GATEWAY_FAILED', details: { status: 401 } });
  });

  it('a relay that cannot be reached is SMS_GATEWAY_FAILED (nothing was sent)', async () => {
    const closed = await freePort();
    const unreachable = createHttpSmsGateway({ url: `http://127.0.0.1:${closed}/sms`, token: 't', signature: 's' });
    await expect(unreachable.send('13800138001', 'x')).rejects.toMatchObject({ code: 'SMS_GATEWAY_FAILED', details: { reason: 'ECONNREFUSED' } });
  });

  it('no answer within the deadline, or a connection broken after the request, is MESSAGE_OUTCOME_UNKNOWN', async () => {
    relay.answerWith('hang');
    const started = Date.now();
    await expect(gateway(300).send('13800138001', 'x')).rejects.toMatchObject({ code: 'MESSAGE_OUTCOME_UNKNOWN' });
    expect(Date.now() - started).toBeLessThan(5_000);
    relay.answerWith('reset');
    await expect(gateway().send('13800138001', 'x')).rejects.toMatchObject({ code: 'MESSAGE_OUTCOME_UNKNOWN' });
    expect(relay.requests).toHaveLength(2);
  });
});
