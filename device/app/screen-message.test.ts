import { describe, expect, it } from 'vitest';
import { parseShowMessageArgs, remainingMessage, screenMessageOf } from './screen-message.ts';

const NOW = Date.parse('2026-03-01T09:00:00.000Z');

describe('a message over the kiosk screen', () => {
  it('takes a plain text as zh-CN, shows it 8 s as info unless told, and tells each message from the next', () => {
    const first = screenMessageOf({ text: '欢迎' }, 'flow', NOW);
    expect(first).toEqual({ id: expect.any(String), text: { 'zh-CN': '欢迎', en: null }, tone: 'info', seconds: 8, expiresAt: '2026-03-01T09:00:08.000Z', from: 'flow' });
    const second = screenMessageOf({ text: { en: 'Hi' }, seconds: 60, tone: 'warning' }, 'hub', NOW);
    expect(second).toMatchObject({ text: { 'zh-CN': null, en: 'Hi' }, tone: 'warning', seconds: 60, expiresAt: '2026-03-01T09:01:00.000Z', from: 'hub' });
    expect(second.id).not.toBe(first.id);
  });

  it('gives a page that connects late the seconds left, and nothing once it has gone', () => {
    const message = screenMessageOf({ text: '欢迎', seconds: 10 }, 'flow', NOW);
    expect(remainingMessage(message, NOW + 3_400)).toMatchObject({ id: message.id, seconds: 7 });
    expect(remainingMessage(message, NOW + 9_400)).toMatchObject({ seconds: 1 });
    expect(remainingMessage(message, NOW + 9_600)).toBeNull();
    expect(remainingMessage(message, NOW + 60_000)).toBeNull();
  });

  it('says what is wrong with a flow’s params', () => {
    expect(parseShowMessageArgs({ text: 'ok', seconds: 3 })).toEqual({ ok: true, args: { text: 'ok', seconds: 3 } });
    expect(parseShowMessageArgs({ text: 'ok', seconds: 99 })).toEqual({ ok: false, reason: expect.stringMatching(/^seconds: /) });
    expect(parseShowMessageArgs('just text')).toEqual({ ok: false, reason: expect.stringMatching(/^\(params\): /) });
  });
});
