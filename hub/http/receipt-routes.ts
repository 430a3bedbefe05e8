/**
 * POST /api/receipts/verify {qr}: is this receipt genuine, and what does the ledger hold for it
 * (hub/receipts/verify-receipt.ts). Any console staff member may ask — a cashier checking a receipt a customer
 * brings back as much as HQ — for the receipts of their own stores ('*': all). A genuine receipt answers 200 with
 * the ledger's record; every other verdict is a coded refusal (RECEIPT_*), with what the receipt and the ledger
 * say where that helps. A read: nothing is changed, so nothing is audited; each refusal is logged.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { ReceiptReads } from '../ledger/receipt-reads.ts';
import { verifyReceipt } from '../receipts/verify-receipt.ts';
import { requireStaff } from './require-staff.ts';

export interface ReceiptRoutesDeps {
  identity: IdentityService;
  fleet: Pick<FleetRegistry, 'device'>;
  receipts: ReceiptReads;
  logger: Logger;
}

export const RECEIPT_CHECKERS: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician'];

const verifyBody = z.object({ qr: z.string().min(1).max(4096) });

export function registerReceiptRoutes(app: FastifyInstance, deps: ReceiptRoutesDeps): void {
  const log = deps.logger.child({ component: 'hub.receipts' });
  app.post('/api/receipts/verify', async (request) => {
    const { staff } = await requireStaff(deps.identity, request, RECEIPT_CHECKERS);
    const { qr } = parseRequest(verifyBody, request.body);
    try {
      const verdict = await verifyReceipt(qr, {
        device: (deviceId) => deps.fleet.device(deviceId),
        transactionRecord: (txId) => deps.receipts.transactionRecord(txId),
        mayRead: (storeId) => staff.storeIds.includes('*') || staff.storeIds.includes(storeId),
      });
      log.info({ staffId: staff.staffId, txId: verdict.receipt.txId, deviceId: verdict.receipt.deviceId }, 'receipt verified');
      return verdict;
    } catch (error) {
      if (isCodedError(error)) log.warn({ staffId: staff.staffId, code: error.code }, 'receipt not verified');
      throw error;
    }
  });
}
