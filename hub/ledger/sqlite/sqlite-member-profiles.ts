/**
 * The SQLite side of ../member-profile-store.ts (schema 7). Writes only its own tables, plus, for an edit or an
 * erasure, the member's name and phone (members), attached cards' holder names and the personal fields of the
 * member's registration payload: never a balance, a journal entry or a transaction's result.
 */
import type { Database, Statement } from 'better-sqlite3';
import {
  ERASED_NAME,
  type ContactChannel,
  type FieldType,
  type Gender,
  type MemberConsent,
  type MemberContact,
  type MemberFieldDef,
  type MemberProfile,
  type MemberProfileChange,
  type MemberProfileStore,
} from '../member-profile-store.ts';
import { writeTransaction } from './write-transaction.ts';

type ProfileRow = {
  member_id: string;
  name: string;
  phone: string;
  gender: Gender | null;
  birthday: string | null;
  address: string | null;
  custom_fields: string | null;
  updated_at: string | null;
  erased_at: string | null;
};
type ContactRow = { contact_id: number; member_id: string; contacted_on: string; channel: ContactChannel; note: string; staff_id: string; recorded_at: string };
type ConsentRow = { consent_id: number; member_id: string; purpose: string; granted: number; at: string; staff_id: string; note: string | null };

const toContact = (r: ContactRow): MemberContact => ({ contactId: r.contact_id, memberId: r.member_id, contactedOn: r.contacted_on, channel: r.channel, note: r.note, staffId: r.staff_id, recordedAt: r.recorded_at });
const toConsent = (r: ConsentRow): MemberConsent => ({ consentId: r.consent_id, memberId: r.member_id, purpose: r.purpose, granted: r.granted === 1, at: r.at, staffId: r.staff_id, note: r.note });

type DefRow = { field_key: string; label: string; position: number; label_en: string | null; type: FieldType | null; required: number | null; options: string | null; retired_at: string | null };

/** Reading and writing a member's profile (name and phone on members, the rest on member_profiles): shared with the erasure. */
function prepareProfileRw(db: Database): { read: (memberId: string) => MemberProfile | null; write: (p: MemberProfile, at: string) => void } {
  const profileRow: Statement<[string], ProfileRow> = db.prepare(
    `SELECT m.member_id, m.name, m.phone, p.gender, p.birthday, p.address, p.custom_fields, p.updated_at, p.erased_at
       FROM members m LEFT JOIN member_profiles p ON p.member_id = m.member_id WHERE m.member_id = ?`,
  );
  const upsertProfile = db.prepare<{ memberId: string; gender: string | null; birthday: string | null; address: string | null; customFields: string; at: string; erasedAt: string | null }>(
    `INSERT INTO member_profiles (member_id, gender, birthday, address, custom_fields, updated_at, erased_at)
     VALUES (@memberId, @gender, @birthday, @address, @customFields, @at, @erasedAt)
     ON CONFLICT(member_id) DO UPDATE SET gender = excluded.gender, birthday = excluded.birthday, address = excluded.address,
       custom_fields = excluded.custom_fields, updated_at = excluded.updated_at, erased_at = excluded.erased_at`,
  );
  const setNamePhone = db.prepare<[string, string, string]>('UPDATE members SET name = ?, phone = ? WHERE member_id = ?');
  const read = (memberId: string): MemberProfile | null => {
    const row = profileRow.get(memberId);
    if (!row) return null;
    return {
      memberId: row.member_id,
      name: row.name,
      phone: row.phone,
      gender: row.gender,
      birthday: row.birthday,
      address: row.address,
      customFields: row.custom_fields ? (JSON.parse(row.custom_fields) as Record<string, string>) : {},
      updatedAt: row.updated_at,
      erasedAt: row.erased_at,
    };
  };
  const write = (p: MemberProfile, at: string) => {
    setNamePhone.run(p.name, p.phone, p.memberId);
    upsertProfile.run({ memberId: p.memberId, gender: p.gender, birthday: p.birthday, address: p.address, customFields: JSON.stringify(p.customFields), at, erasedAt: p.erasedAt });
  };
  return { read, write };
}

/**
 * The erasure (MemberProfileStore.erase) as a plain function, to run inside a caller's database transaction: the
 * retention sweep checks that the member is still eligible and erases in one (sqlite-retention.ts).
 */
export function prepareMemberErase(db: Database): (memberId: string, at: string) => MemberProfile | null {
  const { read, write } = prepareProfileRw(db);
  const eraseHolders = db.prepare<[string, string]>('UPDATE cards SET holder_name = ? WHERE member_id = ? AND holder_name IS NOT NULL');
  const eraseContactNotes = db.prepare<[string, string]>('UPDATE member_contacts SET note = ? WHERE member_id = ?');
  // The registration's payload keeps its content hash (stored apart): a resend of it is still recognised as applied.
  const eraseRegistration = db.prepare<[string, string]>(
    // An imported member's name and phone are in their member_import payload as a registration's are in its own.
    `UPDATE transactions SET payload = json_set(payload, '$.name', ?, '$.phone', '') WHERE member_id = ? AND kind IN ('register_member', 'member_import')`,
  );
  // The messages the hub's flows sent the member (schema 9) hold their name in the text and their phone's last digits.
  const eraseMessages = db.prepare<[string, string]>('UPDATE outbound_messages SET text = ?, phone_masked = NULL WHERE member_id = ?');
  return (memberId, at) => {
    const before = read(memberId);
    if (!before) return null;
    write({ ...before, name: ERASED_NAME, phone: '', gender: null, birthday: null, address: null, customFields: {}, erasedAt: at }, at);
    eraseHolders.run(ERASED_NAME, memberId);
    eraseContactNotes.run(ERASED_NAME, memberId);
    eraseRegistration.run(ERASED_NAME, memberId);
    eraseMessages.run(ERASED_NAME, memberId);
    return read(memberId);
  };
}

export function createSqliteMemberProfiles(db: Database): MemberProfileStore {
  // The spec (schema 8's member_field_specs) is optional: a field defined before it is a text field.
  const defs: Statement<[], DefRow> = db.prepare(
    `SELECT d.field_key, d.label, d.position, s.label_en, s.type, s.required, s.options, s.retired_at
       FROM member_field_defs d LEFT JOIN member_field_specs s ON s.field_key = d.field_key ORDER BY d.position, d.field_key`,
  );
  const clearDefs = db.prepare('DELETE FROM member_field_defs');
  const clearSpecs = db.prepare('DELETE FROM member_field_specs');
  const insertDef = db.prepare<[string, string, number]>('INSERT INTO member_field_defs (field_key, label, position) VALUES (?, ?, ?)');
  const insertSpec = db.prepare<[string, string | null, string, number, string, string | null]>(
    'INSERT INTO member_field_specs (field_key, label_en, type, required, options, retired_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const retiredAt: Statement<[], { field_key: string; retired_at: string }> = db.prepare('SELECT field_key, retired_at FROM member_field_specs WHERE retired_at IS NOT NULL');
  const contacts: Statement<[string, number], ContactRow> = db.prepare('SELECT * FROM member_contacts WHERE member_id = ? ORDER BY contacted_on DESC, contact_id DESC LIMIT ?');
  const contactById: Statement<[number | bigint], ContactRow> = db.prepare('SELECT * FROM member_contacts WHERE contact_id = ?');
  const insertContact = db.prepare<[string, string, string, string, string, string]>(
    'INSERT INTO member_contacts (member_id, contacted_on, channel, note, staff_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const consents: Statement<[string], ConsentRow> = db.prepare('SELECT * FROM member_consents WHERE member_id = ? ORDER BY consent_id');
  const consentById: Statement<[number | bigint], ConsentRow> = db.prepare('SELECT * FROM member_consents WHERE consent_id = ?');
  const insertConsent = db.prepare<[string, string, number, string, string, string | null]>(
    'INSERT INTO member_consents (member_id, purpose, granted, at, staff_id, note) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const { read, write } = prepareProfileRw(db);
  const eraseNow = prepareMemberErase(db);
  const update = writeTransaction(db, (memberId: string, change: MemberProfileChange, at: string) => {
    const before = read(memberId);
    if (!before) return null;
    const customFields = change.customFields === undefined ? before.customFields : Object.fromEntries(Object.entries(change.customFields).filter(([, v]) => v.trim() !== ''));
    const after: MemberProfile = {
      ...before,
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.phone === undefined ? {} : { phone: change.phone }),
      ...(change.gender === undefined ? {} : { gender: change.gender }),
      ...(change.birthday === undefined ? {} : { birthday: change.birthday }),
      ...(change.address === undefined ? {} : { address: change.address }),
      customFields,
      updatedAt: at,
    };
    write(after, at);
    return { before, after };
  });
  const erase = writeTransaction(db, (memberId: string, at: string) => eraseNow(memberId, at));
  // A field retired before keeps the time it was retired.
  const replaceDefs = writeTransaction(db, (list: MemberFieldDef[], at: string) => {
    const retired = new Map(retiredAt.all().map((r) => [r.field_key, r.retired_at] as const));
    clearDefs.run();
    clearSpecs.run();
    for (const d of list) {
      insertDef.run(d.key, d.label, d.position);
      insertSpec.run(d.key, d.labelEn ?? null, d.type ?? 'text', d.required ? 1 : 0, JSON.stringify(d.options ?? []), d.retired ? (retired.get(d.key) ?? at) : null);
    }
  });

  return {
    async fieldDefs() {
      return defs.all().map((d) => ({
        key: d.field_key,
        label: d.label,
        position: d.position,
        labelEn: d.label_en,
        type: d.type ?? 'text',
        required: d.required === 1,
        options: d.options ? (JSON.parse(d.options) as string[]) : [],
        retired: d.retired_at !== null,
      }));
    },
    async setFieldDefs(list) {
      replaceDefs(list, new Date().toISOString());
    },
    async profile(memberId) {
      return read(memberId);
    },
    async updateProfile(memberId, change, at) {
      return update(memberId, change, at);
    },
    async contacts(memberId, limit) {
      return contacts.all(memberId, limit).map(toContact);
    },
    async addContact(c) {
      const { lastInsertRowid } = insertContact.run(c.memberId, c.contactedOn, c.channel, c.note, c.staffId, c.recordedAt);
      return toContact(contactById.get(lastInsertRowid)!);
    },
    async consents(memberId) {
      return consents.all(memberId).map(toConsent);
    },
    async addConsent(c) {
      const { lastInsertRowid } = insertConsent.run(c.memberId, c.purpose, c.granted ? 1 : 0, c.at, c.staffId, c.note);
      return toConsent(consentById.get(lastInsertRowid)!);
    },
    async erase(memberId, at) {
      return erase(memberId, at);
    },
  };
}
