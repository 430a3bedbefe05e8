/**
 * Members' PINs. A member sets one at a kiosk with their card on the reader the first time (e.g. right after
 * registering), or a signed-in clerk sets or resets it. Typed at a kiosk, the hub checks it (with its own
 * lockout, apart from staff's) and gives that kiosk a proof for that member, good for a few minutes: the
 * transactions the chain's rules guard (large stored-value payments, a loss reported by phone without the card)
 * name it, and the ledger checks it again. PINs are hashed with scrypt; every change and refusal is audited.
 */
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { AFTER_SUCCESS, afterFailure, isLocked } from '../../core/identity/lockout.ts';
import type { MemberPinProofState } from '../../core/ledger/types.ts';
import type { AuditEntryInput } from './audit-entry.ts';
import type { IdentityStore } from './identity-store.ts';
import { PIN_PATTERN } from '../../core/identity/pin.ts';
import { newSessionId } from './new-ids.ts';
import { hashSecret, verifySecret } from './secret-hash.ts';

/** Long enough to finish paying after typing the PIN, short enough not to outlive the shopper at the kiosk. */
export const MEMBER_PIN_PROOF_MS = 3 * 60_000;

export interface MemberPinService {
  /** The card's member, first PIN only (MEMBER_PIN_SET_REFUSED once one is set), or any time by a clerk (`byStaff`). */
  setPin(deviceId: string, memberId: string, pin: string, byStaff: { staffId: string } | null): Promise<void>;
  verifyPin(deviceId: string, memberId: string, pin: string): Promise<MemberPinProofState>;
}

export function createMemberPinService(deps: { store: IdentityStore; logger: Logger; now?: () => number }): MemberPinService {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'hub.member-pin' });
  const iso = () => new Date(now()).toISOString();
  const audit = (e: Pick<AuditEntryInput, 'actorKind' | 'actorId' | 'surface' | 'action' | 'target' | 'outcome'> & { detail?: Record<string, unknown> }) =>
    store.appendAudit({ at: iso(), before: null, after: null, detail: null, ...e });

  return {
    async setPin(deviceId, memberId, pin, byStaff) {
      if (!PIN_PATTERN.test(pin)) throw new CodedError('BAD_REQUEST', 'a PIN is 4 to 8 digits');
      const existing = await store.memberPin(memberId);
      const surface = `kiosk:${deviceId}`;
      if (existing && !byStaff) {
        await audit({ actorKind: 'device', actorId: deviceId, surface, action: 'member.set_pin', target: memberId, outcome: 'refused:MEMBER_PIN_SET_REFUSED' });
        throw new CodedError('MEMBER_PIN_SET_REFUSED');
      }
      await store.setMemberPin(memberId, await hashSecret(pin), iso());
      await audit({
        actorKind: byStaff ? 'staff' : 'device', actorId: byStaff?.staffId ?? deviceId, surface,
        action: existing ? 'member.reset_pin' : 'member.set_pin', target: memberId, outcome: 'ok',
      });
    },

    async verifyPin(deviceId, memberId, pin) {
      const surface = `kiosk:${deviceId}`;
      const state = await store.memberPin(memberId);
      if (!state) throw new CodedError('MEMBER_PIN_NOT_SET');
      if (isLocked(state, now())) {
        await audit({ actorKind: 'device', actorId: deviceId, surface, action: 'member.verify_pin', target: memberId, outcome: 'refused:MEMBER_PIN_LOCKED' });
        throw new CodedError('MEMBER_PIN_LOCKED', `locked until ${state.lockedUntil}`, { lockedUntil: state.lockedUntil });
      }
      if (!(await verifySecret(pin, state.pinHash))) {
        const next = afterFailure(state, now());
        await store.recordMemberPinLockout(memberId, next);
        const code = next.justLocked ? 'MEMBER_PIN_LOCKED' : 'MEMBER_PIN_WRONG';
        await audit({ actorKind: 'device', actorId: deviceId, surface, action: 'member.verify_pin', target: memberId, outcome: `refused:${code}`, detail: { attemptsLeft: next.attemptsLeft } });
        if (next.justLocked) log.warn({ memberId, deviceId, lockedUntil: next.lockedUntil }, 'member PIN locked after repeated wrong PINs');
        throw new CodedError(code, next.justLocked ? `locked until ${next.lockedUntil}` : `${next.attemptsLeft} attempts left`, { attemptsLeft: next.attemptsLeft });
      }
      await store.recordMemberPinLockout(memberId, AFTER_SUCCESS);
      const proof: MemberPinProofState = { proofId: newSessionId(), memberId, deviceId, openedAt: iso(), expiresAt: new Date(now() + MEMBER_PIN_PROOF_MS).toISOString() };
      await store.openMemberPinProof(proof);
      await audit({ actorKind: 'device', actorId: deviceId, surface, action: 'member.verify_pin', target: memberId, outcome: 'ok', detail: { proofId: proof.proofId } });
      return proof;
    },
  };
}
