/**
 * A command HQ's flows send one kiosk (the hub's `device command` node → hub/automation/device-commands.ts), on
 * `{base}/v1/devices/{id}/command` (topics.ts). QoS 1 and never retained: a command is for the kiosk connected now,
 * never for one that comes back hours later (this morning's "show this message" must not appear in the evening).
 * Only the hub may publish there and only that kiosk may subscribe (hub/broker/device-acl.ts).
 *
 * The kiosk checks every command against this schema and drops what does not parse (logged with a code), so a
 * newer hub's commands and a malformed one never crash it. Commands it does not act on itself still reach its own
 * flows (the `hub-command` event), which is why the name is open rather than a fixed list.
 */
import { z } from 'zod';

/** A command's name: lower-case words joined by hyphens (show-message). */
export const DEVICE_COMMAND_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** Far below the broker's packet limit: a command is a few words, not a payload. */
export const MAX_DEVICE_COMMAND_BYTES = 16 * 1024;

/** Text on the kiosk screen: no control characters (the screen shows it as it is, on one or two lines). */
const screenText = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'screen text has no control characters');

/** A message's words: one text (taken as zh-CN), or zh-CN and English apart — at least one of them. */
export const messageTextSchema = z.union([
  screenText,
  z
    .object({ 'zh-CN': screenText.optional(), en: screenText.optional() })
    .strict()
    .refine((text) => text['zh-CN'] !== undefined || text.en !== undefined, 'a message needs zh-CN or English text'),
]);
export type MessageText = z.infer<typeof messageTextSchema>;

export const MESSAGE_TONES = ['info', 'success', 'warning'] as const;
export type MessageTone = (typeof MESSAGE_TONES)[number];

/** How long a message stays on screen: 1–60 s, 8 s unless told. */
export const MESSAGE_SECONDS = { min: 1, max: 60, default: 8 } as const;

/** A message over whatever the kiosk screen shows: the `show-message` command's args, and a kiosk flow's `show message`. */
export const showMessageArgsSchema = z
  .object({
    text: messageTextSchema,
    seconds: z.number().int().min(MESSAGE_SECONDS.min).max(MESSAGE_SECONDS.max).optional(),
    tone: z.enum(MESSAGE_TONES).optional(),
  })
  .strict();
export type ShowMessageArgs = z.infer<typeof showMessageArgsSchema>;

export const SHOW_MESSAGE_COMMAND = 'show-message';

export const deviceCommandSchema = z
  .object({
    command: z.string().regex(DEVICE_COMMAND_NAME, 'a command is lower-case words joined by hyphens'),
    args: z.record(z.string(), z.unknown()).default({}),
    /** When the hub sent it (ISO UTC). */
    sentAt: z.iso.datetime({ offset: false }),
  })
  .strict()
  .superRefine((command, context) => {
    // The one command the kiosk acts on itself is checked in full here, so a bad one is dropped as a whole.
    if (command.command !== SHOW_MESSAGE_COMMAND) return;
    const args = showMessageArgsSchema.safeParse(command.args);
    for (const issue of args.error?.issues ?? []) context.addIssue({ code: 'custom', path: ['args', ...issue.path.map(String)], message: issue.message });
  });
export type DeviceCommand = z.infer<typeof deviceCommandSchema>;

/** What the hub publishes: the command as JSON. */
export function encodeDeviceCommand(command: DeviceCommand): string {
  return JSON.stringify(command);
}

/** A command as the kiosk takes it off the wire, or why it was dropped (the issues, for the log; never the payload). */
export function parseDeviceCommand(payload: Uint8Array): { ok: true; command: DeviceCommand } | { ok: false; reason: string } {
  if (payload.length > MAX_DEVICE_COMMAND_BYTES) return { ok: false, reason: `${payload.length} bytes, over ${MAX_DEVICE_COMMAND_BYTES}` };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = deviceCommandSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(command)'}: ${i.message}`).join('; ').slice(0, 300) };
  return { ok: true, command: parsed.data };
}
