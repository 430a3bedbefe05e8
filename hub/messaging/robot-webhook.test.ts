/**
 * The staff webhook against a real HTTP server on loopback (no mocks): the group-robot body WeCom and DingTalk take,
 * DingTalk's signature checked the way DingTalk checks it, a refusal in the errcode (HTTP 200) and an HTTP error
 * both STAFF_WEBHOOK_FAILED, no answer in time MESSAGE_OUTCOME_UNKNOWN.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRobotWebhook } from './robot-webhook.ts';
import { startCapturingServer, type CapturingServer } from './test-support/capturing-server.ts';

describe('the group-robot staff webhook (real local HTTP server)', () => {
  let robot: CapturingServer;
  beforeAll(async () => {
    robot = await startCapturingServer('/robot/send?access_token=abc123');
  });
  afterAll(async () => robot.close());
  beforeEach(() => {
    robot.requests.length = 0;
    robot.answerWith({ status: 200, body: { errcode: 0, errmsg: 'ok' } });
  });

  it('posts the text message body, unsigned without a secret (WeCom)', async () => {
    await createRobotWebhook({ url: robot.url }).post('【静安店】会员 M0001 已 60 天未到店');
    expect(robot.requests).toHaveLength(1);
    const [request] = robot.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(request!.body).toEqual({ msgtype: 'text', text: { content: '【静安店】会员 M0001 已 60 天未到店' } });
    expect(request!.url.searchParams.get('access_token')).toBe('abc123');
    expect(request!.url.searchParams.has('sign')).toBe(false);
    expect(request!.url.searchParams.has('timestamp')).toBe(false);
  });

  it("signs DingTalk's way when a secret is configured: timestamp and sign verify with the secret", async () => {
    const secret = 'SECc0ffee0123456789';
    const at = 1_767_225_600_000;
    await createRobotWebhook({ url: robot.url, secret, now: () => at }).post('低纸提醒');
    const params = robot.requests[0]!.url.searchParams;
    expect(params.get('access_token')).toBe('abc123');
    expect(params.get('timestamp')).toBe(String(at));
    // What DingTalk computes on its side from the timestamp it got.
    const expected = createHmac('sha256', secret).update(`${params.get('timestamp')}\n${secret}`).digest('base64');
    expect(params.get('sign')).toBe(expected);
    // A wrong secret would not verify.
    expect(createHmac('sha256', 'SECwrong').update(`${at}\n${'SECwrong'}`).digest('base64')).not.toBe(params.get('sign'));
  });

  it('a refusal in the errcode (HTTP 200) and an HTTP error are STAFF_WEBHOOK_FAILED', async () => {
    const webhook = createRobotWebhook({ url: robot.url });
    robot.answerWith({ status: 200, body: { errcode: 310000, errmsg: 'sign not match' } });
    await expect(webhook.post('x')).rejects.toMatchObject({ code: 'STAFF_WEBHOOK_FAILED', details: { errcode: 310000 } });
    robot.answerWith({ status: 503 });
    await expect(webhook.post('x')).rejects.toMatchObject({ code: 'STAFF_WEBHOOK_FAILED', details: { status: 503 } });
  });

  it('no answer in time is MESSAGE_OUTCOME_UNKNOWN (it may have gone)', async () => {
    robot.answerWith('hang');
    await expect(createRobotWebhook({ url: robot.url, timeoutMs: 200 }).post('x')).rejects.toMatchObject({ code: 'MESSAGE_OUTCOME_UNKNOWN' });
    expect(robot.requests).toHaveLength(1);
  });
});
