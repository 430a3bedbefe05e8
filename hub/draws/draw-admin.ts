/**
 * HQ's side of points draws: create (a draft with a fresh secret seed, whose SHA-256 is published at once), open,
 * close (second-chance winners drawn, the seed revealed), and the audit that recomputes every outcome from the
 * seed (core/draws/draw-outcome.ts). Used by the hub API (/api/draws, HQ admins) and `memberkiosk draws`,
 * each of which records what it did in the audit log.
 */
import { randomBytes } from 'node:crypto';
import { auditDraw, drawDefinitionSchema, type DrawAudit } from '../../core/draws/draw-outcome.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import type { AuditEntryInput } from '../identity/audit-entry.ts';
import type { DrawStore, DrawView } from '../ledger/draw-store.ts';

const nextDrawId = createUlidFactory(Date.now, (n) => randomBytes(n));

/** A new draft from HQ's definition (BAD_REQUEST when it is not one); `seedHex` only for tests, which need a fixed seed. */
export async function createDraw(store: Pick<DrawStore, 'createDraw'>, definition: unknown, createdBy: string, options: { now?: Date; seedHex?: string } = {}): Promise<DrawView> {
  const parsed = parseRequest(drawDefinitionSchema, definition);
  const seedHex = options.seedHex ?? randomBytes(32).toString('hex');
  return store.createDraw({ ...parsed, drawId: parsed.drawId ?? `draw-${nextDrawId()}` }, seedHex, createdBy, (options.now ?? new Date()).toISOString());
}

/** Every outcome of the draw recomputed from its seed against what the ledger recorded; null: no such draw. */
export async function verifyDraw(store: Pick<DrawStore, 'drawAuditInput'>, drawId: string): Promise<DrawAudit | null> {
  const input = await store.drawAuditInput(drawId);
  return input ? auditDraw(input) : null;
}

/** The audit line of a draw action (created, opened, closed): who and what, with the commitment or the revealed seed. */
export function drawAudit(action: 'draws.create' | 'draws.open' | 'draws.close', draw: DrawView, who: Pick<AuditEntryInput, 'actorKind' | 'actorId' | 'surface'>, at: string): AuditEntryInput {
  return {
    ...who,
    at,
    action,
    target: draw.drawId,
    outcome: 'ok',
    before: null,
    after: { status: draw.status, entries: draw.entries },
    detail: { name: draw.name, costPoints: draw.costPoints, closesAt: draw.closesAt, seedSha256: draw.seedSha256, ...(draw.seed ? { seed: draw.seed } : {}) },
  };
}
