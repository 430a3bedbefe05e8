import { existsSync } from 'node:fs';
import { DriverError } from '../driver-error.ts';

/**
 * Where a serial reader or printer lives, by a name that survives re-plugging and reboots: a
 * /dev/serial/by-id/... path (udev keeps it stable per device), or the USB vendor/product (and serial number
 * when two identical devices are attached). A plain /dev/ttyUSB0 path works too but can change on replug.
 */
export type SerialPortSelector =
  | { path: string }
  | { vendorId: string; productId: string; serialNumber?: string };

export interface PortInfoLike {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
  serialNumber?: string | undefined;
}

export type PortLister = () => Promise<PortInfoLike[]>;

export function describeSelector(selector: SerialPortSelector): string {
  if ('path' in selector) return selector.path;
  return `usb ${selector.vendorId}:${selector.productId}${selector.serialNumber ? ` #${selector.serialNumber}` : ''}`;
}

/** Resolves the selector to a path to open now; re-run before every reconnect, because the path may have moved. */
export async function locateSerialPort(selector: SerialPortSelector, list: PortLister): Promise<string> {
  if ('path' in selector) {
    if (!existsSync(selector.path)) throw new DriverError('DRIVER_PORT_NOT_FOUND', `no such port: ${selector.path}`);
    return selector.path;
  }
  const same = (a: string | undefined, b: string): boolean => (a ?? '').toLowerCase() === b.toLowerCase();
  const ports = await list();
  const match = ports.find(
    (p) =>
      same(p.vendorId, selector.vendorId) &&
      same(p.productId, selector.productId) &&
      (selector.serialNumber === undefined || same(p.serialNumber, selector.serialNumber)),
  );
  if (!match) throw new DriverError('DRIVER_PORT_NOT_FOUND', `no port for ${describeSelector(selector)}`);
  return match.path;
}

/** Accepts "/dev/...", "usb:VID:PID" or "usb:VID:PID:SERIAL" as typed on a command line or in a config file. */
export function parseSelector(text: string): SerialPortSelector {
  const usb = /^usb:([0-9a-fA-F]{4}):([0-9a-fA-F]{4})(?::(.+))?$/.exec(text);
  if (usb) return { vendorId: usb[1]!, productId: usb[2]!, ...(usb[3] ? { serialNumber: usb[3] } : {}) };
  return { path: text };
}
