/**
 * The time a receipt prints: local to the store's time zone, with the zone named, so nobody has to guess whether
 * "21:05" is Beijing time or UTC. "2026-12-01 21:05:09" and "北京时间 (UTC+8)" / "Asia/Shanghai (UTC+8)". Without a
 * zone (a kiosk that never heard its store's profile and has none saved) the time is UTC and says so.
 */
export interface PrintedTime {
  /** "YYYY-MM-DD HH:MM:SS" in the zone. */
  time: string;
  /** Which zone that is, in the receipt's language. */
  zone: string;
}

/** Zones that keep Beijing time, named as people in China name it. */
const BEIJING_TIME_ZONES = new Set(['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC']);

function formatter(timezone: string): Intl.DateTimeFormat | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'shortOffset', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  } catch {
    return null;
  }
}

export function printedTime(iso: string, timezone: string | undefined, language: 'zh' | 'en'): PrintedTime {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { time: iso, zone: '' };
  const zone = timezone ?? 'UTC';
  // An unknown zone (a profile from a newer runtime's tz data) prints UTC rather than a wrong local time.
  const format = formatter(zone) ?? formatter('UTC')!;
  const used = formatter(zone) ? zone : 'UTC';
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  const time = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, 'UTC').replace(/^UTC$/, 'UTC+0');
  if (used === 'UTC' || used === 'Etc/UTC') return { time, zone: language === 'zh' ? '协调世界时 (UTC)' : 'UTC' };
  if (language === 'zh' && BEIJING_TIME_ZONES.has(used)) return { time, zone: `北京时间 (${offset})` };
  return { time, zone: language === 'zh' ? `时区 ${used} (${offset})` : `${used} (${offset})` };
}
