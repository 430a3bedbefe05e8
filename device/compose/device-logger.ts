/**
 * The kiosk's logger: pino with the app's name on every line and personal data masked wherever it is logged.
 * Apart from device/main.ts so the composition root reads as steps.
 */
import pino, { type Logger } from 'pino';
import { censorLogValue, REDACTED_LOG_PATHS } from '../../core/privacy/mask.ts';

export function createDeviceLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'memberkiosk-device' },
      // Card UIDs, staff cards, phones and PINs: masked to their last four characters wherever they are logged.
      redact: { paths: REDACTED_LOG_PATHS, censor: censorLogValue },
    },
    destination,
  );
}
