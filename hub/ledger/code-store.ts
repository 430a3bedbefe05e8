/**
 * The redemption-code port (兑换码 / 防伪码, core/codes/redemption-code.ts): batches HQ generates, and the
 * anti-counterfeit check. A back end keeps each code only as HMAC-SHA256(a key of its own, the code's SHA-256)
 * and is handed digests, never codes: the printable list exists once, in the answer to the generation
 * (hub/codes/generate-code-batch.ts). Redeeming is a transaction (code_redeem), applied by the ledger like any
 * other, which marks the code used in the same database transaction that credits its points.
 */
export interface NewCodeBatch {
  batchId: string;
  name: string;
  sku: string;
  points: number;
  /** Redemptions from this instant on are refused (UTC ISO). */
  expiresAt: string;
  createdAt: string;
  /** Who made it: a staff id, or `cli:<user>`. */
  createdBy: string;
}

export interface CodeBatchSummary extends NewCodeBatch {
  count: number;
  used: number;
}

/** What a code is, as the anti-counterfeit check answers: genuine (issued, unused, unexpired), used, expired, or unknown (never issued). */
export type CodeStatus = 'genuine' | 'used' | 'expired' | 'unknown';

export interface CodeVerification {
  status: CodeStatus;
  /** For an issued code: its batch and what it gives. */
  batch?: { batchId: string; name: string; sku: string; points: number; expiresAt: string };
  usedAt?: string | null;
}

export interface CodeStore {
  /** Stores a batch and its codes (as digests); CODE_BATCH_EXISTS when the name is taken. One database transaction. */
  createCodeBatch(batch: NewCodeBatch, codeDigests: readonly string[]): Promise<CodeBatchSummary>;
  /** Newest first. */
  listCodeBatches(): Promise<CodeBatchSummary[]>;
  /** What the code with this digest is at `at`, without using it. */
  verifyCode(codeDigest: string, at: string): Promise<CodeVerification>;
}
