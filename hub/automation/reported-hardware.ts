/**
 * One word for a kiosk's printer and one for its reader, read out of the driver health its state report carries
 * (drivers.printer, drivers.cardReader): what a flow's `device state` node filters on ("paper_low", "paper_out").
 * The words and rules are the kiosk's own (device/hardware/hardware-state.ts, which the screen shows); the hub may not
 * import device/, so they are repeated here and must stay the same. Read defensively: a report is whatever a kiosk
 * of any version sent, so a shape this does not know gives null (unknown), never an error; a report that already
 * says a word (`state` or `status`) is taken as it is.
 */
type Health = Record<string, unknown>;

/** A reader that is not there: its port gone, not found, or not opening (as the kiosk's screen says it). */
const MISSING_READER_CODES: ReadonlySet<string> = new Set(['DRIVER_PORT_NOT_FOUND', 'DRIVER_PORT_OPEN_FAILED', 'DRIVER_PORT_LOST']);

const isHealth = (value: unknown): value is Health => typeof value === 'object' && value !== null && !Array.isArray(value);

function saidWord(health: Health): string | null {
  const word = health.status ?? health.state;
  return typeof word === 'string' && word.length > 0 && word.length <= 32 ? word : null;
}

/** 'ready' | 'paper_low' | 'paper_out' | 'offline' | 'error' (the kiosk's words), or null when the report does not say. */
export function printerWord(drivers: Record<string, unknown> | null): string | null {
  const health = drivers?.printer;
  if (!isHealth(health)) return null;
  const said = saidWord(health);
  if (said !== null) return said;
  if (typeof health.connected !== 'boolean') return null;
  if (!health.connected || health.online === false) return 'offline';
  if (health.paperOut === true) return 'paper_out';
  if (health.coverOpen === true) return 'error';
  if (health.paperNearEnd === true) return 'paper_low';
  return 'ready';
}

/** 'ready' | 'missing' | 'error' (the kiosk's words), or null when the report does not say. */
export function readerWord(drivers: Record<string, unknown> | null): string | null {
  const health = drivers?.cardReader;
  if (!isHealth(health)) return null;
  const said = saidWord(health);
  if (said !== null) return said;
  if (typeof health.connected !== 'boolean') return null;
  if (health.connected) return 'ready';
  const lastError = health.lastError;
  const code = isHealth(lastError) && typeof lastError.code === 'string' ? lastError.code : undefined;
  return code === undefined || MISSING_READER_CODES.has(code) ? 'missing' : 'error';
}
