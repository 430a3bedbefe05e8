/**
 * Signs receipts with the kiosk's own Ed25519 key from enrolment (device.key in its data directory, 0600; the hub
 * holds the public half since the kiosk enrolled), so a receipt's QR code proves which kiosk printed it and what
 * it said (core/receipt/receipt-qr.ts). A kiosk started without enrolment (--hub/--id/--store against a bare
 * broker, tests) has no key: it prints receipts without a signed code, and says so once in its log.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ReceiptClaim } from '../../core/receipt/receipt-claim.ts';
import { signReceiptQr } from '../../core/receipt/receipt-qr.ts';
import { DEVICE_KEY_FILE } from '../provisioning/stored-provisioning.ts';

export type ReceiptSigner = (claim: ReceiptClaim) => string | null;

/** The key in the data directory, or null (no file, or not an Ed25519 private key: logged). */
export function loadDeviceKey(dataDir: string, logger: Logger): KeyObject | null {
  const path = join(dataDir, DEVICE_KEY_FILE);
  if (!existsSync(path)) {
    logger.info('no enrolment key in the data directory: receipts carry no signed verification code');
    return null;
  }
  try {
    const key = createPrivateKey(readFileSync(path, 'utf8'));
    if (key.asymmetricKeyType === 'ed25519') return key;
    logger.error({ type: key.asymmetricKeyType }, `${DEVICE_KEY_FILE} is not an Ed25519 key: receipts carry no signed verification code`);
  } catch (error) {
    logger.error({ err: error instanceof Error ? error.message : String(error) }, `${DEVICE_KEY_FILE} cannot be read: receipts carry no signed verification code`);
  }
  return null;
}

/** A signer over the key; a claim that cannot be encoded (never expected) is logged and printed without a code. */
export function createReceiptSigner(key: KeyObject, logger: Logger): ReceiptSigner {
  return (claim) => {
    try {
      return signReceiptQr(claim, key);
    } catch (error) {
      logger.error({ txId: claim.txId, err: error instanceof Error ? error.message : String(error) }, 'receipt not signed');
      return null;
    }
  };
}
