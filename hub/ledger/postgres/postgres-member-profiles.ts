/**
 * Member profiles, custom fields, the contact log, consents and erasure on the PostgreSQL ledger
 * (../member-profile-store.ts; the behaviour of ../sqlite/sqlite-member-profiles.ts). A change that reads and then
 * writes (an edit, an erasure, new field definitions) is one SERIALIZABLE database transaction on the store's
 * retrying runner, so two workers editing one member behave as if one went after the other.
 */
import type pg from 'pg';
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

interface ProfileRow {
  member_id: string;
  name: string;
  phone: string;
  gender: Gender | null;
  birthday: string | null;
  address: string | null;
  custom_fields: string | null;
  updated_at: string | null;
  erased_at: string | null;
}
interface ContactRow { contact_id: number; member_id: string; contacted_on: string; channel: ContactChannel; note: string; staff_id: string; recorded_at: string }
interface ConsentRow { consent_id: number; member_id: string; purpose: string; granted: number; at: string; staff_id: string; note: string | null }
interface DefRow { field_key: string; label: string; position: number; label_en: string | null; type: FieldType | null; required: number | null; options: string | null; retired_at: string | null }

/** The store's SERIALIZABLE runner, run again from the start on a conflict (postgres-ledger-transactions.ts inLedgerTransaction). */
export type PostgresTransaction = <T>(work: (work: { client: pg.PoolClient }) => Promise<T>) => Promise<T>;

const toContact = (r: ContactRow): MemberContact => ({ contactId: r.contact_id, memberId: r.member_id, contactedOn: r.contacted_on, channel: r.channel, note: r.note, staffId: r.staff_id, recordedAt: r.recorded_at });
const toConsent = (r: ConsentRow): MemberConsent => ({ consentId: r.consent_id, memberId: r.member_id, purpose: r.purpose, granted: r.granted === 1, at: r.at, staffId: r.staff_id, note: r.note });

async function readProfile(db: pg.ClientBase | pg.Pool, memberId: string): Promise<MemberProfile | null> {
  const row = (
    await db.query<ProfileRow>(
      `SELECT m.member_id, m.name, m.phone, p.gender, p.birthday, p.address, p.custom_fields, p.updated_at, p.erased_at
         FROM members m LEFT JOIN member_profiles p ON p.member_id = m.member_id WHERE m.member_id = $1`,
      [memberId],
    )
  ).rows[0];
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
}

async function writeProfile(client: pg.ClientBase, p: MemberProfile, at: string): Promise<void> {
  await client.query('UPDATE members SET name = $1, phone = $2 WHERE member_id = $3', [p.name, p.phone, p.memberId]);
  await client.query(
    `INSERT INTO member_profiles (member_id, gender, birthday, address, custom_fields, updated_at, erased_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (member_id) DO UPDATE SET gender = excluded.gender, birthday = excluded.birthday, address = excluded.address,
       custom_fields = excluded.custom_fields, updated_at = excluded.updated_at, erased_at = excluded.erased_at`,
    [p.memberId, p.gender, p.birthday, p.address, JSON.stringify(p.customFields), at, p.erasedAt],
  );
}

/**
 * The erasure (MemberProfileStore.erase) inside a caller's database transaction: the retention sweep checks that the
 * member is still eligible and erases in one. As on SQLite, the registration's (or import's) payload loses the name
 * and phone but keeps every other key in its order and its stored content hash, so a resend is still recognised.
 * The payload is rewritten here rather than through jsonb, which would reorder its keys.
 */
export async function eraseMemberIn(client: pg.ClientBase, memberId: string, at: string): Promise<MemberProfile | null> {
  const before = await readProfile(client, memberId);
  if (!before) return null;
  await writeProfile(client, { ...before, name: ERASED_NAME, phone: '', gender: null, birthday: null, address: null, customFields: {}, erasedAt: at }, at);
  await client.query('UPDATE cards SET holder_name = $1 WHERE member_id = $2 AND holder_name IS NOT NULL', [ERASED_NAME, memberId]);
  await client.query('UPDATE member_contacts SET note = $1 WHERE member_id = $2', [ERASED_NAME, memberId]);
  const registrations = await client.query<{ tx_id: string; payload: string }>(
    "SELECT tx_id, payload FROM transactions WHERE member_id = $1 AND kind IN ('register_member', 'member_import')",
    [memberId],
  );
  for (const r of registrations.rows) {
    const payload = JSON.parse(r.payload) as Record<string, unknown>;
    await client.query('UPDATE transactions SET payload = $1 WHERE tx_id = $2', [JSON.stringify({ ...payload, name: ERASED_NAME, phone: '' }), r.tx_id]);
  }
  // The messages the hub's flows sent the member hold their name in the text and their phone's last digits.
  await client.query('UPDATE outbound_messages SET text = $1, phone_masked = NULL WHERE member_id = $2', [ERASED_NAME, memberId]);
  return readProfile(client, memberId);
}

export class PostgresMemberProfiles implements MemberProfileStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly transaction: PostgresTransaction,
  ) {}

  async fieldDefs(): Promise<MemberFieldDef[]> {
    // The spec is optional, as on SQLite: a field defined without one is a text field.
    const rows = await this.pool.query<DefRow>(
      `SELECT d.field_key, d.label, d.position, s.label_en, s.type, s.required, s.options, s.retired_at
         FROM member_field_defs d LEFT JOIN member_field_specs s ON s.field_key = d.field_key ORDER BY d.position, d.field_key`,
    );
    return rows.rows.map((d) => ({
      key: d.field_key,
      label: d.label,
      position: d.position,
      labelEn: d.label_en,
      type: d.type ?? 'text',
      required: d.required === 1,
      options: d.options ? (JSON.parse(d.options) as string[]) : [],
      retired: d.retired_at !== null,
    }));
  }

  async setFieldDefs(defs: MemberFieldDef[]): Promise<void> {
    const at = new Date().toISOString();
    await this.transaction(async ({ client }) => {
      // A field retired before keeps the time it was retired.
      const retired = new Map(
        (await client.query<{ field_key: string; retired_at: string }>('SELECT field_key, retired_at FROM member_field_specs WHERE retired_at IS NOT NULL')).rows.map((r) => [r.field_key, r.retired_at] as const),
      );
      await client.query('DELETE FROM member_field_defs');
      await client.query('DELETE FROM member_field_specs');
      for (const d of defs) {
        await client.query('INSERT INTO member_field_defs (field_key, label, position) VALUES ($1, $2, $3)', [d.key, d.label, d.position]);
        await client.query('INSERT INTO member_field_specs (field_key, label_en, type, required, options, retired_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          d.key, d.labelEn ?? null, d.type ?? 'text', d.required ? 1 : 0, JSON.stringify(d.options ?? []), d.retired ? (retired.get(d.key) ?? at) : null,
        ]);
      }
    });
  }

  async profile(memberId: string): Promise<MemberProfile | null> {
    return readProfile(this.pool, memberId);
  }

  async updateProfile(memberId: string, change: MemberProfileChange, at: string): Promise<{ before: MemberProfile; after: MemberProfile } | null> {
    return this.transaction(async ({ client }) => {
      const before = await readProfile(client, memberId);
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
      await writeProfile(client, after, at);
      return { before, after };
    });
  }

  async contacts(memberId: string, limit: number): Promise<MemberContact[]> {
    const rows = await this.pool.query<ContactRow>('SELECT * FROM member_contacts WHERE member_id = $1 ORDER BY contacted_on DESC, contact_id DESC LIMIT $2', [memberId, limit]);
    return rows.rows.map(toContact);
  }

  async addContact(c: Omit<MemberContact, 'contactId'>): Promise<MemberContact> {
    const row = await this.pool.query<ContactRow>(
      'INSERT INTO member_contacts (member_id, contacted_on, channel, note, staff_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [c.memberId, c.contactedOn, c.channel, c.note, c.staffId, c.recordedAt],
    );
    return toContact(row.rows[0]!);
  }

  async consents(memberId: string): Promise<MemberConsent[]> {
    return (await this.pool.query<ConsentRow>('SELECT * FROM member_consents WHERE member_id = $1 ORDER BY consent_id', [memberId])).rows.map(toConsent);
  }

  async addConsent(c: Omit<MemberConsent, 'consentId'>): Promise<MemberConsent> {
    const row = await this.pool.query<ConsentRow>(
      'INSERT INTO member_consents (member_id, purpose, granted, at, staff_id, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [c.memberId, c.purpose, c.granted ? 1 : 0, c.at, c.staffId, c.note],
    );
    return toConsent(row.rows[0]!);
  }

  async erase(memberId: string, at: string): Promise<MemberProfile | null> {
    return this.transaction(({ client }) => eraseMemberIn(client, memberId, at));
  }
}
