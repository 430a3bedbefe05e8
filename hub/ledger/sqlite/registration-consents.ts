/**
 * The consents a new member gave on a kiosk's registration form, written to the append-only consent records
 * (member_consents, schema-member-profiles.ts) by the same database transaction that applies the registration:
 * a member never exists without the record of what they agreed to, and a registration refused or rolled back
 * leaves no consent behind. Written with the effect (sqlite-effect-writes.ts), which runs once per applied
 * transaction: a replay (`exists`) writes nothing again.
 *
 * The wire names a kiosk's purposes ('terms', 'marketing'); the records use the purposes the HQ console shows
 * (console/src/members): the terms are consent to the membership service, and marketing on a kiosk means messages
 * to the phone number the member gave, i.e. SMS.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { RegistrationConsent, TransactionOf } from '../../../core/wire/transaction.ts';

export const CONSENT_PURPOSE_RECORDED: Record<RegistrationConsent['purpose'], string> = {
  terms: 'membership',
  marketing: 'marketing_sms',
};

/** Who recorded a consent given on a kiosk: the device (staff_id names the recorder; no staff member was involved). */
export const recordedByDevice = (deviceId: string): string => `device:${deviceId}`;

export function prepareRegistrationConsents(db: Database): (tx: TransactionOf<'register_member'>, memberId: string) => void {
  const insert: Statement<[string, string, number, string, string, string]> = db.prepare(
    'INSERT INTO member_consents (member_id, purpose, granted, at, staff_id, note) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return (tx, memberId) => {
    for (const consent of tx.consents ?? []) {
      insert.run(memberId, CONSENT_PURPOSE_RECORDED[consent.purpose], consent.granted ? 1 : 0, tx.createdAt, recordedByDevice(tx.deviceId), `kiosk registration ${tx.id}`);
    }
  };
}
