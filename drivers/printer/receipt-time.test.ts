import { describe, expect, it } from 'vitest';
import { printedTime } from './receipt-time.ts';

const AT = '2026-12-01T13:05:09.000Z';

describe('the time a receipt prints', () => {
  it('is local to the store, with the zone named in the receipt’s language', () => {
    expect(printedTime(AT, 'Asia/Shanghai', 'zh')).toEqual({ time: '2026-12-01 21:05:09', zone: '北京时间 (UTC+8)' });
    expect(printedTime(AT, 'Asia/Shanghai', 'en')).toEqual({ time: '2026-12-01 21:05:09', zone: 'Asia/Shanghai (UTC+8)' });
    expect(printedTime(AT, 'Asia/Tokyo', 'zh')).toEqual({ time: '2026-12-01 22:05:09', zone: '时区 Asia/Tokyo (UTC+9)' });
    expect(printedTime(AT, 'Asia/Kolkata', 'en')).toEqual({ time: '2026-12-01 18:35:09', zone: 'Asia/Kolkata (UTC+5:30)' });
  });

  it('says UTC when the kiosk knows no zone, or one this runtime does not, rather than a wrong local time', () => {
    expect(printedTime(AT, undefined, 'zh')).toEqual({ time: '2026-12-01 13:05:09', zone: '协调世界时 (UTC)' });
    expect(printedTime(AT, 'Mars/Olympus', 'en')).toEqual({ time: '2026-12-01 13:05:09', zone: 'UTC' });
  });
});
