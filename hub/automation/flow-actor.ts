/**
 * The staff account the hub's flows act as (configuration `actAs`, a staff id): every points grant a flow makes is
 * an HQ transaction with this account and a session of its own as the actor, so the ledger checks its role and the
 * audit log names it, exactly as for a person at the console. A flow gets no power a person could not be given.
 *
 * At start the account must exist, be active, have a role that may give manual bonuses (region manager, HQ admin;
 * core/ledger/staff-rules.ts) and act in every store (manual bonuses are made in HQ's own store, 'hq'); otherwise
 * FLOW_ACTOR_INVALID, and the hub runs its flows without grants rather than have every grant refused.
 *
 * The session is an API token opened through the identity service (audited as the system, surface 'node-red'); the
 * token itself is never kept or shown: only its session id is needed to act. Before each use the session is checked
 * and renewed when it ends within RENEW_BEFORE_MS, or was ended (a password set or the account switched off ends
 * every session of an account), so a grant never goes to the ledger under a session that would be refused — a
 * refusal would be recorded under the grant's id and settle that idempotency key for good. Old sessions are left to
 * expire rather than ended: a grant already holding one may still be on its way to the ledger.
 */
import type { Logger } from 'pino';
import { CodedError, isCodedError } from '../../core/errors/coded-error.ts';
import { roleMayDo } from '../../core/ledger/staff-rules.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { StaffActor } from '../../core/wire/transaction.ts';
import type { AuditActor, IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore, StoredSession } from '../identity/identity-store.ts';

/** A flows' session lasts a day: long enough to be quiet in the audit log, short enough to age out. */
export const FLOW_SESSION_MS = 24 * 3_600_000;
/** Renewed this long before it ends: a grant's transaction is dated when the ledger applies it, moments later. */
export const RENEW_BEFORE_MS = 3_600_000;

const OPENED_BY: AuditActor = { kind: 'system', id: 'node-red', surface: 'node-red' };

export interface FlowActorOptions {
  actAs: string;
  identity: Pick<IdentityService, 'createApiToken'>;
  staff: Pick<IdentityStore, 'staffCredentialsById' | 'sessionById'>;
  logger: Logger;
  now?: () => number;
  sessionMs?: number;
  renewBeforeMs?: number;
}

export interface FlowActor {
  /** Checks the account and opens the first session; FLOW_ACTOR_INVALID when the account cannot act. */
  start(): Promise<void>;
  /** Who a transaction made now is made by: the account and an open session (renewed if need be). */
  current(): Promise<StaffActor>;
}

export function createFlowActor(options: FlowActorOptions): FlowActor {
  const now = options.now ?? Date.now;
  const sessionMs = options.sessionMs ?? FLOW_SESSION_MS;
  const renewBeforeMs = options.renewBeforeMs ?? RENEW_BEFORE_MS;
  const log = options.logger.child({ component: 'hub.flow-actor' });
  let session: StoredSession | null = null;
  /** One renewal at a time: grants arriving together share it instead of each opening a session. */
  let renewing: Promise<StoredSession> | null = null;

  async function checkAccount(): Promise<void> {
    const staff = await options.staff.staffCredentialsById(options.actAs);
    if (!staff) throw new CodedError('FLOW_ACTOR_INVALID', `no staff account ${options.actAs} for flows to act as`);
    if (!staff.active) throw new CodedError('FLOW_ACTOR_INVALID', `the staff account ${options.actAs} that flows act as is inactive`);
    if (!roleMayDo(staff.role, 'manual_bonus')) throw new CodedError('FLOW_ACTOR_INVALID', `flows act as ${options.actAs}, whose role ${staff.role} may not give manual bonuses`);
    if (!staff.storeIds.includes('*') && !staff.storeIds.includes(HQ_DEVICE_ID)) {
      throw new CodedError('FLOW_ACTOR_INVALID', `flows act as ${options.actAs}, who does not act in every store ('*')`);
    }
  }

  async function open(): Promise<StoredSession> {
    await checkAccount();
    try {
      const opened = await options.identity.createApiToken(options.actAs, 'node-red flows', sessionMs, OPENED_BY);
      log.info({ staffId: options.actAs, sessionId: opened.session.sessionId, expiresAt: opened.session.expiresAt }, 'flow session opened');
      return opened.session;
    } catch (error) {
      // The account changed between the check and the token (deactivated): the same answer as the check's.
      if (isCodedError(error) && error.code === 'NOT_FOUND') throw new CodedError('FLOW_ACTOR_INVALID', error.message);
      throw error;
    }
  }

  function renew(): Promise<StoredSession> {
    renewing ??= open()
      .then((opened) => (session = opened))
      .finally(() => (renewing = null));
    return renewing;
  }

  /**
   * Whether the session can still carry a transaction made now: not ending soon and not ended. The account is checked
   * again too (FLOW_ACTOR_INVALID when it was switched off or its role changed), so the refusal comes here, not as a
   * refusal the ledger would record under the grant's id.
   */
  async function usable(current: StoredSession): Promise<boolean> {
    await checkAccount();
    if (Date.parse(current.expiresAt) - now() <= renewBeforeMs) return false;
    const stored = await options.staff.sessionById(current.sessionId);
    return stored !== null && stored.endedAt === null;
  }

  return {
    async start() {
      await renew();
    },
    async current() {
      // No session yet (start() was refused): tried again, so an account put right needs no restart.
      const held = session && (await usable(session)) ? session : await renew();
      return { staffId: held.staffId, sessionId: held.sessionId };
    },
  };
}
