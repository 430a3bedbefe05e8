/**
 * A person touching the screen keeps their session: touches are reported to the kiosk (POST
 * /api/session/activity), at most one every few seconds, only while a session that counts down is on screen. The
 * kiosk moves expiresAt and pushes the session; the countdown follows the push.
 */
import { kioskApi } from './api.ts';
import { kiosk } from './stream.ts';

const EXTENDS: ReadonlySet<string> = new Set(['member', 'register']);
const MIN_GAP_MS = 5_000;
let lastSent = 0;

async function report(force: boolean): Promise<void> {
  const session = kiosk.session;
  if (!session || !EXTENDS.has(session.name)) return;
  const at = Date.now();
  if (!force && at - lastSent < MIN_GAP_MS) return;
  lastSent = at;
  try {
    await kioskApi.post('/api/session/activity');
  } catch {
    // A missed extension only means the countdown runs on; the sheet asks before it ends.
  }
}

/** The "still here" button: extends at once. */
export function stillHere(): void {
  void report(true);
}

/** Listens for touches anywhere on the page. */
export function watchActivity(): () => void {
  const onTouch = () => void report(false);
  window.addEventListener('pointerdown', onTouch, { passive: true });
  return () => window.removeEventListener('pointerdown', onTouch);
}
