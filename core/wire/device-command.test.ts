import { describe, expect, it } from 'vitest';
import { encodeDeviceCommand, MAX_DEVICE_COMMAND_BYTES, parseDeviceCommand, showMessageArgsSchema } from './device-command.ts';
import { createTopics } from './topics.ts';

const sentAt = '2026-03-01T09:00:00.000Z';
const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('device commands on the wire', () => {
  it('lives on the kiosk’s own command topic', () => {
    expect(createTopics().command('kiosk-1')).toBe('memberkiosk/v1/devices/kiosk-1/command');
    expect(createTopics('chain').command('k')).toBe('chain/v1/devices/k/command');
  });

  it('reads back what the hub encodes, with args defaulting to none', () => {
    const command = { command: 'show-message', args: { text: { 'zh-CN': '欢迎', en: 'Welcome' }, seconds: 10, tone: 'success' }, sentAt };
    expect(parseDeviceCommand(bytes(encodeDeviceCommand(command)))).toEqual({ ok: true, command });
    expect(parseDeviceCommand(bytes({ command: 'open-door', sentAt }))).toEqual({ ok: true, command: { command: 'open-door', args: {}, sentAt } });
  });

  it('drops what is not a command, naming why without echoing it', () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /not JSON/],
      [new Uint8Array([0xff, 0xfe, 0x7b]), /not JSON/],
      [{ command: 'Show Message', args: {}, sentAt }, /^command:/],
      [{ command: '../x', args: {}, sentAt }, /^command:/],
      [{ command: 'x', args: [], sentAt }, /^args:/],
      [{ command: 'x', args: {}, sentAt: 'yesterday' }, /^sentAt:/],
      [{ command: 'x', args: {}, sentAt, extra: 1 }, /Unrecognized key/],
      [{ command: 'show-message', args: { text: '' }, sentAt }, /^args\.text/],
      [{ command: 'show-message', args: { text: 'hi', seconds: 61 }, sentAt }, /^args\.seconds/],
      [{ command: 'show-message', args: { text: { fr: 'salut' } }, sentAt }, /^args\.text/],
      [{ command: 'show-message', args: { text: 'a\u001bb' }, sentAt }, /^args\.text/],
      [{ command: 'show-message', args: { text: 'hi', colour: 'red' }, sentAt }, /Unrecognized key/],
    ];
    for (const [payload, reason] of cases) {
      const parsed = parseDeviceCommand(payload instanceof Uint8Array ? payload : bytes(payload));
      expect(parsed.ok, JSON.stringify(payload)).toBe(false);
      if (!parsed.ok) expect(parsed.reason, JSON.stringify(payload)).toMatch(reason);
    }
    const huge = parseDeviceCommand(bytes({ command: 'x', args: { blob: 'x'.repeat(MAX_DEVICE_COMMAND_BYTES) }, sentAt }));
    expect(huge).toEqual({ ok: false, reason: expect.stringMatching(/bytes, over 16384/) });
  });

  it('checks a message: zh-CN or English text of 1–200 characters, 1–60 whole seconds, a known tone', () => {
    for (const good of [{ text: '你好' }, { text: { en: 'Hi' } }, { text: { 'zh-CN': '你好', en: 'Hi' }, seconds: 1, tone: 'warning' }, { text: 'x'.repeat(200), seconds: 60 }]) {
      expect(showMessageArgsSchema.safeParse(good).success, JSON.stringify(good)).toBe(true);
    }
    for (const bad of [{}, { text: '   ' }, { text: {} }, { text: 'x'.repeat(201) }, { text: 'hi', seconds: 0 }, { text: 'hi', seconds: 2.5 }, { text: 'hi', tone: 'error' }]) {
      expect(showMessageArgsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    // Surrounding spaces are not words.
    expect(showMessageArgsSchema.parse({ text: '  你好  ' }).text).toBe('你好');
  });
});
