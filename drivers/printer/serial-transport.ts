import { EventEmitter } from 'node:events';
import { DriverError } from '../driver-error.ts';
import {
  closePort,
  listRealSerialPorts,
  openPort,
  openRealSerialPort,
  type SerialPortFactory,
  type SerialPortLike,
} from '../card-reader/serial-port-factory.ts';
import { describeSelector, locateSerialPort, type PortLister, type SerialPortSelector } from '../card-reader/serial-port-locator.ts';
import type { PrinterTransport, PrinterTransportEvents } from './printer-transport.ts';

/**
 * A printer on RS-232 or USB-serial, through serialport 13 (the escpos package's own serial adapter targets
 * serialport 9 and does not load with 13). The port is re-located by its stable name on every open.
 */
export class SerialPrinterTransport extends EventEmitter<PrinterTransportEvents> implements PrinterTransport {
  readonly name: string;
  readonly bidirectional = true;
  private port: SerialPortLike | undefined;

  constructor(
    private readonly options: { port: SerialPortSelector; baudRate?: number; portFactory?: SerialPortFactory; listPorts?: PortLister },
  ) {
    super();
    this.name = `serial:${describeSelector(options.port)}`;
  }

  async open(): Promise<void> {
    if (this.port) return;
    const path = await locateSerialPort(this.options.port, this.options.listPorts ?? listRealSerialPorts);
    const port = (this.options.portFactory ?? openRealSerialPort)({ path, baudRate: this.options.baudRate ?? 19_200 });
    try {
      await openPort(port);
    } catch (error) {
      throw new DriverError('DRIVER_PRINTER_UNREACHABLE', `${this.name}: ${(error as Error).message}`);
    }
    this.port = port;
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('error', () => undefined);
    port.once('close', () => {
      if (this.port === port) {
        this.port = undefined;
        this.emit('close');
      }
    });
  }

  write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new DriverError('DRIVER_PRINTER_UNREACHABLE', `${this.name} is not open`));
    return new Promise((resolve, reject) =>
      port.write(bytes, (error) => (error ? reject(new DriverError('DRIVER_PRINTER_UNREACHABLE', error.message)) : resolve())),
    );
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port) await closePort(port);
  }
}
