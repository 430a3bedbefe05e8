import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import type { PortInfoLike } from './serial-port-locator.ts';

/**
 * The slice of a serialport 13 SerialPort the drivers use. Injected, so tests and the benchmark hand the
 * driver real ports on socat ptys and a technician tool can hand it anything that behaves the same.
 */
export interface SerialPortLike extends Duplex {
  readonly isOpen: boolean;
  open(callback?: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
  /** Modem status (TIOCMGET); used as a liveness probe. */
  get?(callback: (error: Error | null) => void): void;
}

export type SerialPortFactory = (options: { path: string; baudRate: number }) => SerialPortLike;

export const openRealSerialPort: SerialPortFactory = ({ path, baudRate }) =>
  new SerialPort({ path, baudRate, autoOpen: false });

export async function listRealSerialPorts(): Promise<PortInfoLike[]> {
  return SerialPort.list();
}

export function openPort(port: SerialPortLike): Promise<void> {
  return new Promise((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
}

export function closePort(port: SerialPortLike): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}
