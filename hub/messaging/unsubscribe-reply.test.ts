/** The unsubscribe words a reply may be (T, TD, N, 退订 — trimmed, any case, full-width too) and the number it came from. */
import { describe, expect, it } from 'vitest';
import { isUnsubscribeReply, replyPhone } from './unsubscribe-reply.ts';

describe('SMS replies', () => {
  it('takes T, TD, N and 退订, trimmed, in any case; nothing else', () => {
    for (const yes of ['T', 't', ' T ', 'td', 'TD\n', 'n', 'N', '退订', ' 退订 ', 'Ｔ', 'ｔｄ']) expect(isUnsubscribeReply(yes), JSON.stringify(yes)).toBe(true);
    for (const no of ['', ' ', 'TT', 'T T', 'yes', '不退订', '退订了', 'STOP', 'no']) expect(isUnsubscribeReply(no), JSON.stringify(no)).toBe(false);
  });

  it('reads a mainland mobile number however the gateway writes it, other numbers as their digits', () => {
    for (const phone of ['13800138001', '+8613800138001', '8613800138001', '008613800138001', '+86 138-0013-8001', ' 138 0013 8001 ']) expect(replyPhone(phone), phone).toBe('13800138001');
    expect(replyPhone('+852 9123 4567')).toBe('85291234567');
    expect(replyPhone('021-5555 0000')).toBe('02155550000');
  });
});
