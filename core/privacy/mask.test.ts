import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { censorLogValue, maskCardUid, maskPhone, REDACTED_LOG_PATHS } from './mask.ts';

describe('privacy masking', () => {
  it('keeps only the last four characters of card UIDs and phone numbers', () => {
    expect(maskCardUid('04C1B2C3D4E5F6')).toBe('**********E5F6');
    expect(maskPhone('+86 138-0013-8003')).toBe('*********8003');
    expect(maskCardUid('ABC')).toBe('***');
  });

  it('masks card UIDs, staff cards, phones and PINs wherever a pino logger meets them', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    const log = pino({ redact: { paths: REDACTED_LOG_PATHS, censor: censorLogValue } }, sink);
    log.info({ cardUid: '04C1B2C3D4E5F6', tx: { staffCardUid: 'A5AFF0000001', phone: '13800138003' }, pin: 1234 }, 'tap');
    const line = lines.join('');
    expect(line).not.toContain('04C1B2C3D4E5F6');
    expect(line).not.toContain('A5AFF0000001');
    expect(line).not.toContain('13800138003');
    expect(line).toContain('**********E5F6');
    expect(JSON.parse(line)).toMatchObject({ pin: '[redacted]', tx: { phone: '*******8003' } });
  });

  it('never logs any part of a password, an MQTT secret or a private key', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    const log = pino({ redact: { paths: REDACTED_LOG_PATHS, censor: censorLogValue } }, sink);
    log.info({ password: 'hunter2-secret', config: { mqtt: { password: 'pw-in-config' } }, answer: { mqttSecret: 'S3CRETsecret' }, privateKeyPem: 'KEYMATERIAL' }, 'enrolled');
    const line = lines.join('');
    for (const secret of ['hunter2', '-secret', 'pw-in', 'S3CRET', 'KEYMAT', 'RIAL']) expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ password: '[redacted]', config: { mqtt: { password: '[redacted]' } }, answer: { mqttSecret: '[redacted]' } });
  });
});
