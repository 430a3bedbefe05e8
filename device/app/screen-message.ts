/**
 * A message shown over whatever the kiosk screen shows, for a few seconds: from a kiosk flow (`show message`,
 * device/automation/kiosk-flow-calls.ts) or from HQ (the hub's `show-message` command, core/wire/device-command.ts).
 * The screen draws it as a banner at the top that never takes a touch (device/screen/src/components/
 * FlowMessageBanner.vue), in zh-CN unless the screen is in English (then the English text, else the zh-CN one).
 *
 * A newer message replaces the one on show. It is pushed on the screen's event stream as `screen-message`, and a page
 * that (re)connects while it is still up gets it again with the seconds it has left.
 */
import { randomUUID } from 'node:crypto';
import { MESSAGE_SECONDS, showMessageArgsSchema, type MessageTone, type ShowMessageArgs } from '../../core/wire/device-command.ts';

export interface ScreenMessage {
  /** Tells one message from the next with the same words (the screen restarts its timer on a new id). */
  id: string;
  /** At least one of them; the screen falls back to the other when its language has none. */
  text: { 'zh-CN': string | null; en: string | null };
  tone: MessageTone;
  /** How long it stays from when the screen gets it (a page reconnecting mid-way is sent what is left). */
  seconds: number;
  /** When it goes (ISO UTC, the kiosk's clock). */
  expiresAt: string;
  /** Who asked for it: a flow on this kiosk, or HQ. */
  from: 'flow' | 'hub';
}

/** The message for checked args (showMessageArgsSchema), as shown from `now`. */
export function screenMessageOf(args: ShowMessageArgs, from: ScreenMessage['from'], now: number): ScreenMessage {
  const text = typeof args.text === 'string' ? { 'zh-CN': args.text, en: null } : { 'zh-CN': args.text['zh-CN'] ?? null, en: args.text.en ?? null };
  const seconds = args.seconds ?? MESSAGE_SECONDS.default;
  return { id: randomUUID(), text, tone: args.tone ?? 'info', seconds, expiresAt: new Date(now + seconds * 1000).toISOString(), from };
}

/** Checks what a caller asked to show (a flow's params); the issues in words, or the args. */
export function parseShowMessageArgs(input: unknown): { ok: true; args: ShowMessageArgs } | { ok: false; reason: string } {
  const parsed = showMessageArgsSchema.safeParse(input);
  if (parsed.success) return { ok: true, args: parsed.data };
  return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ') };
}

/** The message as a page gets it at `now`: with the whole seconds left, or null once it has gone. */
export function remainingMessage(message: ScreenMessage, now: number): ScreenMessage | null {
  const leftMs = Date.parse(message.expiresAt) - now;
  if (leftMs < 500) return null;
  return { ...message, seconds: Math.max(1, Math.round(leftMs / 1000)) };
}
