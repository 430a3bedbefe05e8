/**
 * Serial ports a technician gave this kiosk's flows (a lamp, a buzzer, a store system on RS-232/USB-serial), by
 * name: device config `nodeRed.serialPorts: [{ name, path, baudRate }]`. A flow writes to a port by its name
 * (kiosk.serialWrite) and never names a device path: it reaches only what the technician configured, never the
 * card reader's or the printer's port.
 *
 * Each port is opened on its first write, and opened again on the next write after any failure (unplugged, the
 * port gone, a write that failed or did not finish in time): a lamp plugged back in works without a restart.
 * Writes to one port go out one after another, whole, in the order asked; a flow that asks faster than the port
 * takes them is refused (FLOW_CALLS_BUSY) rather than queued without end.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { closePort, openPort, openRealSerialPort, type SerialPortFactory, type SerialPortLike } from '../../drivers/card-reader/serial-port-factory.ts';

export const flowSerialPortSchema = z
  .object({
    /** What flows call it (kiosk.serialWrite `port`). */
    name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a port name is 1–32 of A–Z a–z 0–9 _ -'),
    /** Where it is: a stable name under /dev/serial/by-id/ survives re-plugging better than /dev/ttyUSB0. */
    path: z.string().min(1).max(256),
    baudRate: z.number().int().min(50).max(4_000_000).default(9600),
  })
  .strict();

/** The device config section `nodeRed.serialPorts` (default none); names are unique. */
export const flowSerialPortsSchema = z
  .array(flowSerialPortSchema)
  .max(16)
  .refine((ports) => new Set(ports.map((p) => p.name)).size === ports.length, 'serial port names are unique')
  .default([]);
export type FlowSerialPortConfig = z.output<typeof flowSerialPortSchema>;

export interface FlowSerialPorts {
  /**
   * Writes all of `bytes` to the port named (absent: the first one configured) and resolves once they left the
   * kiosk; SERIAL_PORT_UNKNOWN for a name not configured, SERIAL_WRITE_FAILED when it could not open or write (the
   * next write opens it again), FLOW_CALLS_BUSY when too many writes wait for that port.
   */
  write(name: string | undefined, bytes: Buffer): Promise<number>;
  /** The names configured, in order. */
  names(): string[];
  /** Closes every open port; writes after it are refused. */
  close(): Promise<void>;
}

export interface FlowSerialPortsOptions {
  ports: readonly FlowSerialPortConfig[];
  logger: Logger;
  /** The real serialport unless told (tests hand ports on socat ptys the same way the drivers get them). */
  portFactory?: SerialPortFactory;
  /** How long one write may take to leave the kiosk; default 5 s. */
  writeTimeoutMs?: number;
  /** Writes waiting for one port before more are refused; default 16. */
  maxWaiting?: number;
}

/** serialport's SerialPort waits for the bytes to leave (tcdrain); a port without it counts as written. */
interface Drainable {
  drain(callback: (error: Error | null) => void): void;
}

interface PortSlot {
  config: FlowSerialPortConfig;
  port: SerialPortLike | null;
  /** The writes of this port, one after another. */
  tail: Promise<void>;
  waiting: number;
}

export function createFlowSerialPorts(options: FlowSerialPortsOptions): FlowSerialPorts {
  const log = options.logger;
  const factory = options.portFactory ?? openRealSerialPort;
  const writeTimeoutMs = options.writeTimeoutMs ?? 5000;
  const maxWaiting = options.maxWaiting ?? 16;
  const slots = new Map<string, PortSlot>(options.ports.map((config) => [config.name, { config, port: null, tail: Promise.resolve(), waiting: 0 }]));
  let closed = false;

  /** Forgets a port that failed or closed, so the next write opens it afresh. */
  function drop(slot: PortSlot, port: SerialPortLike): void {
    if (slot.port !== port) return;
    slot.port = null;
    void closePort(port).catch(() => undefined);
  }

  async function opened(slot: PortSlot): Promise<SerialPortLike> {
    if (slot.port?.isOpen) return slot.port;
    const port = factory({ path: slot.config.path, baudRate: slot.config.baudRate });
    // An error between writes (the device unplugged) only means: open it again next time.
    port.on('error', (error: Error) => {
      log.warn({ code: 'SERIAL_WRITE_FAILED', port: slot.config.name, err: error.message }, 'serial port failed; it is opened again on the next write');
      drop(slot, port);
    });
    port.once('close', () => drop(slot, port));
    try {
      await openPort(port);
    } catch (error) {
      throw new CodedError('SERIAL_WRITE_FAILED', `serial port ${slot.config.name} could not be opened: ${(error as Error).message}`, { port: slot.config.name });
    }
    slot.port = port;
    log.info({ port: slot.config.name, path: slot.config.path, baudRate: slot.config.baudRate }, 'serial port for flows opened');
    return port;
  }

  function writeAll(slot: PortSlot, port: SerialPortLike & Partial<Drainable>, bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error?: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!error) return resolve();
        drop(slot, port);
        reject(new CodedError('SERIAL_WRITE_FAILED', `serial port ${slot.config.name}: ${error.message}`, { port: slot.config.name }));
      };
      const timer = setTimeout(() => finish(new Error(`the write did not finish within ${writeTimeoutMs} ms`)), writeTimeoutMs);
      port.write(bytes, (error) => {
        if (error) return finish(error);
        // Written to the driver; drained (serialport's drain: tcdrain) once the bytes have left the kiosk.
        if (port.drain) port.drain(finish);
        else finish();
      });
    });
  }

  return {
    names: () => [...slots.keys()],

    write(name, bytes) {
      if (closed) return Promise.reject(new CodedError('SERIAL_WRITE_FAILED', 'the serial ports for flows are closed (the kiosk is stopping)'));
      const slot = name === undefined ? slots.values().next().value : slots.get(name);
      if (!slot) return Promise.reject(new CodedError('SERIAL_PORT_UNKNOWN', name === undefined ? 'no serial port is configured for flows on this kiosk' : `no serial port named ${name} is configured for flows`, { port: name ?? null }));
      if (slot.waiting >= maxWaiting) return Promise.reject(new CodedError('FLOW_CALLS_BUSY', `too many writes waiting for serial port ${slot.config.name}`, { port: slot.config.name }));
      slot.waiting += 1;
      const run = async (): Promise<number> => {
        try {
          if (closed) throw new CodedError('SERIAL_WRITE_FAILED', 'the serial ports for flows are closed (the kiosk is stopping)');
          const port = await opened(slot);
          await writeAll(slot, port, bytes);
          return bytes.length;
        } finally {
          slot.waiting -= 1;
        }
      };
      const result = slot.tail.then(run);
      // The next write waits for this one, whether it worked or not.
      slot.tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },

    async close() {
      closed = true;
      for (const slot of slots.values()) {
        await slot.tail;
        const port = slot.port;
        slot.port = null;
        if (port) await closePort(port);
      }
    },
  };
}
