import { EventEmitter } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { DriverError } from '../driver-error.ts';
import type { PrinterTransport, PrinterTransportEvents } from './printer-transport.ts';

/**
 * A USB printer-class device node (/dev/usb/lp0, or a /dev/usb/by-id style udev link). Write-only here: the
 * usblp driver can return status bytes on read for some models but blocks on others, so status requests are
 * not sent (bidirectional = false) and the printer is taken as online while the node accepts writes.
 */
export class DevicePathPrinterTransport extends EventEmitter<PrinterTransportEvents> implements PrinterTransport {
  readonly name: string;
  readonly bidirectional = false;
  private handle: FileHandle | undefined;

  constructor(private readonly options: { path: string }) {
    super();
    this.name = `device:${options.path}`;
  }

  async open(): Promise<void> {
    if (this.handle) return;
    try {
      this.handle = await open(this.options.path, 'w');
    } catch (error) {
      throw new DriverError('DRIVER_PRINTER_UNREACHABLE', `${this.name}: ${(error as Error).message}`);
    }
  }

  async write(bytes: Buffer): Promise<void> {
    if (!this.handle) throw new DriverError('DRIVER_PRINTER_UNREACHABLE', `${this.name} is not open`);
    try {
      await this.handle.write(bytes);
    } catch (error) {
      const handle = this.handle;
      this.handle = undefined;
      await handle.close().catch(() => undefined);
      this.emit('close');
      throw new DriverError('DRIVER_PRINTER_UNREACHABLE', `${this.name}: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await handle.close();
  }
}
