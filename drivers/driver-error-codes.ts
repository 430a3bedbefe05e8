/**
 * Stable codes for hardware driver errors, reported in DriverHealth.lastError and in logs. They belong in
 * core/errors/codes.ts; until the lead merges them there, drivers use DriverError (driver-error.ts) with these.
 * Add new ones, never rename: the device publishes them in its reported state.
 */
export const DRIVER_ERROR_CODES = {
  DRIVER_PORT_NOT_FOUND: 'no serial port matches the configured stable name (by-id path or USB vendor/product)',
  DRIVER_PORT_OPEN_FAILED: 'the serial port exists but could not be opened',
  DRIVER_PORT_LOST: 'the serial port or reader disappeared while in use',
  DRIVER_FRAME_REJECTED: 'a reader sent bytes that are not a valid frame (garbage, truncated, bad checksum)',
  DRIVER_PCSC_UNAVAILABLE: 'the PC/SC service (pcscd) or the nfc-pcsc addon is not available',
  DRIVER_PCSC_READER_ERROR: 'a PC/SC reader reported an error while reading a card',
  DRIVER_PRINTER_UNREACHABLE: 'the receipt printer cannot be reached (connection refused, closed or timed out)',
  DRIVER_PRINTER_STATUS_TIMEOUT: 'the receipt printer did not answer a real-time status request in time',
  DRIVER_PRINTER_PAPER_OUT: 'the receipt printer is out of paper',
  DRIVER_PRINTER_COVER_OPEN: 'the receipt printer cover is open',
  DRIVER_PRINT_QUEUE_FULL: 'the print queue is full; the oldest job was dropped',
  DRIVER_STOPPED: 'the driver was stopped before the operation finished',
} as const;

export type DriverErrorCode = keyof typeof DRIVER_ERROR_CODES;
