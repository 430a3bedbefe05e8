/**
 * The kiosk's hardware as the screen is told it (pushed as `hardware` on GET /api/events, and in GET /api/state):
 * one honest word per device instead of the drivers' health details, so a reader unplugged never shows "Tap your
 * card" and a printer out of paper never promises a receipt. Derived from the same health the state report
 * carries (ports.ts: CardReaderHealth, PrinterHealth); the codes are core's (core/errors/codes.ts), so the screen
 * says them in people's words.
 */
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { CardReaderHealth, PrinterHealth } from '../ports.ts';

export interface ReaderState {
  status: 'ready' | 'missing' | 'error';
  code: ErrorCode | null;
}

export interface PrinterState {
  /** 'none': no printer configured. */
  status: 'ready' | 'paper_low' | 'paper_out' | 'offline' | 'error' | 'none';
  code: ErrorCode | null;
}

export interface HardwareState {
  reader: ReaderState;
  printer: PrinterState;
}

/** A reader that is not there: its port gone, not found, or not opening (unplugged, or a cable loose). */
const MISSING_READER_CODES: ReadonlySet<string> = new Set(['DRIVER_PORT_NOT_FOUND', 'DRIVER_PORT_OPEN_FAILED', 'DRIVER_PORT_LOST']);

export function readerStateOf(health: Pick<CardReaderHealth, 'connected' | 'lastError'>): ReaderState {
  // Rejected frames (a bad read) leave a connected reader ready: the next tap works.
  if (health.connected) return { status: 'ready', code: null };
  const code = health.lastError?.code;
  // Not connected and nothing failed yet: still looking for it, which to a shopper is the same as not there.
  if (code === undefined || MISSING_READER_CODES.has(code)) return { status: 'missing', code: 'READER_MISSING' };
  return { status: 'error', code: 'READER_ERROR' };
}

export function printerStateOf(health: Pick<PrinterHealth, 'connected' | 'online' | 'paperOut' | 'paperNearEnd' | 'coverOpen'> | null): PrinterState {
  if (!health) return { status: 'none', code: null };
  // Not answering its status counts as offline: nothing can be known to print.
  if (!health.connected || !health.online) return { status: 'offline', code: 'PRINTER_OFFLINE' };
  if (health.paperOut) return { status: 'paper_out', code: 'PRINTER_PAPER_OUT' };
  if (health.coverOpen) return { status: 'error', code: 'PRINTER_COVER_OPEN' };
  if (health.paperNearEnd) return { status: 'paper_low', code: 'PRINTER_PAPER_LOW' };
  return { status: 'ready', code: null };
}

/** Whether a receipt can print now; paper low still prints. */
export function printerCanPrint(state: PrinterState): boolean {
  return state.status === 'ready' || state.status === 'paper_low';
}

export function hardwareStateOf(drivers: { cardReader: Pick<CardReaderHealth, 'connected' | 'lastError'>; printer: Parameters<typeof printerStateOf>[0] }): HardwareState {
  return { reader: readerStateOf(drivers.cardReader), printer: printerStateOf(drivers.printer) };
}

export function sameHardwareState(a: HardwareState, b: HardwareState): boolean {
  return a.reader.status === b.reader.status && a.reader.code === b.reader.code && a.printer.status === b.printer.status && a.printer.code === b.printer.code;
}
