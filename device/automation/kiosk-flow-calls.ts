/**
 * What the kiosk offers its Node-RED flows (flows/runtime/protocol.ts KIOSK_CALLS): the child reaches the kiosk only
 * through these calls, each checked here and answered through the kiosk's own parts — its receipt printer, its screen,
 * the serial ports a technician configured. Nothing here touches a member, the outbox or money.
 *
 * - `kiosk.print` (PrintParams → { printed: true }): a note through the receipt printer (notice-receipt.ts), with
 *   the receipts' paper checks and print window; not printed now → PRINTER_UNAVAILABLE (never printed later).
 * - `kiosk.showMessage` (ShowMessageParams → { shown: true }): a banner over the screen, 1–60 s (default 8).
 * - `kiosk.serialWrite` (SerialWriteParams → { bytes }): bytes to a configured port by name (flow-serial-ports.ts),
 *   UTF-8 text or hex, at most 4 KB.
 *
 * Parameters that do not check are FLOW_PARAMS_INVALID with what is wrong; the flow sees the code.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import type { ShowMessageArgs } from '../../core/wire/device-command.ts';
import { KIOSK_CALLS, type FlowCalls, type PrintValue, type SerialWriteValue, type ShowMessageValue } from '../../flows/runtime/protocol.ts';
import { parseShowMessageArgs } from '../app/screen-message.ts';
import type { ReceiptSink } from '../ports.ts';
import type { FlowSerialPorts } from './flow-serial-ports.ts';
import { buildNoticeReceipt, printParamsSchema, type NoticeContext } from './notice-receipt.ts';

/** The most a flow sends in one serial write. */
export const MAX_SERIAL_WRITE_BYTES = 4096;

const serialWriteParamsSchema = z
  .object({
    port: z.string().min(1).max(32).optional(),
    data: z.string().min(1).max(MAX_SERIAL_WRITE_BYTES * 3),
    encoding: z.enum(['utf8', 'hex']).default('utf8'),
  })
  .strict();

export interface KioskFlowCallsDeps {
  /** The kiosk's receipt printer (the same sink receipts go to). */
  receipts: Pick<ReceiptSink, 'print'>;
  /** Read at each print: the store at the top, the paper width, the receipt language. */
  noticeContext: () => NoticeContext;
  /** The kiosk screen (KioskApp.showMessage). */
  screen: { showMessage(args: ShowMessageArgs, from: 'flow'): unknown };
  serialPorts: Pick<FlowSerialPorts, 'write'>;
  logger: Logger;
  now?: () => number;
}

export function createKioskFlowCalls(deps: KioskFlowCallsDeps): FlowCalls {
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const noteId = createUlidFactory(now, (size) => randomBytes(size));

  async function print(params: unknown): Promise<PrintValue> {
    const checked = check(printParamsSchema, params, KIOSK_CALLS.print);
    const id = noteId();
    const receipt = buildNoticeReceipt(checked, deps.noticeContext(), id, new Date(now()).toISOString());
    const outcome = await deps.receipts.print(receipt);
    if (outcome.status !== 'printed') {
      const reason = outcome.code ?? 'PRINTER_ERROR';
      log.warn({ code: 'PRINTER_UNAVAILABLE', reason, noteId: id }, 'a flow’s note was not printed (it will not print later)');
      throw new CodedError('PRINTER_UNAVAILABLE', `not printed: ${reason}`, { reason });
    }
    log.info({ noteId: id, lines: checked.lines.length, qr: checked.qr !== undefined }, 'a flow’s note printed');
    return { printed: true };
  }

  async function showMessage(params: unknown): Promise<ShowMessageValue> {
    const parsed = parseShowMessageArgs(params);
    if (!parsed.ok) throw new CodedError('FLOW_PARAMS_INVALID', `${KIOSK_CALLS.showMessage}: ${parsed.reason}`);
    deps.screen.showMessage(parsed.args, 'flow');
    return { shown: true };
  }

  async function serialWrite(params: unknown): Promise<SerialWriteValue> {
    const checked = check(serialWriteParamsSchema, params, KIOSK_CALLS.serialWrite);
    const bytes = decode(checked.data, checked.encoding);
    if (bytes.length > MAX_SERIAL_WRITE_BYTES) throw new CodedError('FLOW_PARAMS_INVALID', `${KIOSK_CALLS.serialWrite}: data is ${bytes.length} bytes, at most ${MAX_SERIAL_WRITE_BYTES}`);
    const written = await deps.serialPorts.write(checked.port, bytes);
    log.debug({ port: checked.port ?? '(first)', bytes: written }, 'a flow wrote to a serial port');
    return { bytes: written };
  }

  return { [KIOSK_CALLS.print]: print, [KIOSK_CALLS.showMessage]: showMessage, [KIOSK_CALLS.serialWrite]: serialWrite };
}

function check<T extends z.ZodType>(schema: T, params: unknown, method: string): z.output<T> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  throw new CodedError('FLOW_PARAMS_INVALID', `${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`);
}

/** Hex: pairs of hex digits, spaces between bytes allowed ("1B 40" or "1b40"). */
function decode(data: string, encoding: 'utf8' | 'hex'): Buffer {
  if (encoding === 'utf8') return Buffer.from(data, 'utf8');
  const digits = data.replace(/\s+/g, '');
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(digits)) {
    throw new CodedError('FLOW_PARAMS_INVALID', `${KIOSK_CALLS.serialWrite}: hex data is pairs of hex digits (0–9, a–f), optionally spaced`);
  }
  return Buffer.from(digits, 'hex');
}
