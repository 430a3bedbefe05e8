import type { DriverHealth } from './card-reader/types.ts';
import type { DriverErrorCode } from './driver-error-codes.ts';

/**
 * The mutable side of DriverHealth, kept by each driver and copied out on health(): callers get a snapshot
 * they cannot change behind the driver's back.
 */
export class HealthTracker {
  private state: DriverHealth;

  constructor(driver: string) {
    this.state = { driver, connected: false, framesRejected: 0, reconnects: 0 };
  }

  snapshot(): DriverHealth {
    const { lastError } = this.state;
    return { ...this.state, ...(lastError ? { lastError: { ...lastError } } : {}) };
  }

  setConnected(connected: boolean): void {
    this.state.connected = connected;
  }

  recordError(code: DriverErrorCode, message: string, at = Date.now()): void {
    this.state.lastError = { code, message, at };
  }

  recordRejectedFrame(): void {
    this.state.framesRejected += 1;
  }

  recordReconnect(): void {
    this.state.reconnects += 1;
  }
}
