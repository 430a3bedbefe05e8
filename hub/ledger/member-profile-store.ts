/**
 * What a member's record holds beyond the ledger's (schema 7, sqlite/schema-member-profiles.ts): the profile
 * (gender, birthday, address, HQ's custom fields; name and phone stay on the member), the contact log (回访记录),
 * consent records, and the erasure of a member's personal fields on request (PIPL). None of it moves a balance or
 * writes a journal entry. The routes (hub/http/member-profile-routes.ts) check role and scope and audit each change.
 */
export const GENDERS = ['female', 'male', 'other'] as const;
export type Gender = (typeof GENDERS)[number];
export const CONTACT_CHANNELS = ['phone', 'sms', 'wechat', 'visit', 'email', 'other'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** What an erased member's name becomes (their phone becomes empty): nothing a search or a look-up finds. */
export const ERASED_NAME = '—';

export const FIELD_TYPES = ['text', 'number', 'date', 'select'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface MemberFieldDef {
  key: string;
  /** The zh-CN label (also shown when there is no English one). */
  label: string;
  position: number;
  labelEn?: string | null;
  /** 'text' unless set; a value is checked against it when a profile is written (member-field-values.ts). */
  type?: FieldType;
  /** Must have a value whenever a profile's custom fields are written. */
  required?: boolean;
  /** The choices of a select field. */
  options?: string[];
  /** Retired by HQ: no longer asked for; values already given are kept and shown. */
  retired?: boolean;
}

/** What an erasure replaces (the audit log names these, never their values) and what it keeps. */
export const ERASED_FIELDS = ['name', 'phone', 'gender', 'birthday', 'address', 'customFields', 'cardHolderNames', 'contactNotes', 'registrationPayload'] as const;
export const KEPT_ON_ERASE = ['journal', 'transactions', 'balances', 'consents'] as const;

export interface MemberProfile {
  memberId: string;
  name: string;
  /** In full: the route masks it unless the caller's role may see it. */
  phone: string;
  gender: Gender | null;
  birthday: string | null;
  address: string | null;
  customFields: Record<string, string>;
  updatedAt: string | null;
  erasedAt: string | null;
}

export interface MemberProfileChange {
  name?: string;
  phone?: string;
  gender?: Gender | null;
  birthday?: string | null;
  address?: string | null;
  /** Replaces the whole set; an empty value removes the field. */
  customFields?: Record<string, string>;
}

export interface MemberContact {
  contactId: number;
  memberId: string;
  contactedOn: string;
  channel: ContactChannel;
  note: string;
  staffId: string;
  recordedAt: string;
}

export interface MemberConsent {
  consentId: number;
  memberId: string;
  purpose: string;
  granted: boolean;
  at: string;
  staffId: string;
  note: string | null;
}

/** What the caller's role may do on the console's member page (hub/http/member-profile-routes.ts memberActionsOf). */
export interface MemberPageActions {
  editProfile: boolean;
  editPhone: boolean;
  contactLog: boolean;
  consent: boolean;
  exportData: boolean;
  erase: boolean;
  manualBonus: boolean;
  reportLoss: boolean;
  cancelLoss: boolean;
  freeze: boolean;
  unfreeze: boolean;
  replace: boolean;
  cardReturn: boolean;
  cardIssue: boolean;
  creditRepay: boolean;
}

export interface MemberProfileStore {
  fieldDefs(): Promise<MemberFieldDef[]>;
  /** Replaces HQ's custom field definitions (values of removed keys stay stored, not shown). */
  setFieldDefs(defs: MemberFieldDef[]): Promise<void>;
  /** null: no such member. */
  profile(memberId: string): Promise<MemberProfile | null>;
  /** Applies the change and answers the profile before and after; null: no such member. Refused once erased (the route checks). */
  updateProfile(memberId: string, change: MemberProfileChange, at: string): Promise<{ before: MemberProfile; after: MemberProfile } | null>;
  contacts(memberId: string, limit: number): Promise<MemberContact[]>;
  addContact(contact: Omit<MemberContact, 'contactId'>): Promise<MemberContact>;
  /** Every consent record of the member, oldest first (the current state of a purpose is its last record). */
  consents(memberId: string): Promise<MemberConsent[]>;
  addConsent(consent: Omit<MemberConsent, 'consentId'>): Promise<MemberConsent>;
  /**
   * Erases the member's personal fields in one database transaction: name (ERASED_NAME), phone (empty), gender,
   * birthday, address, custom fields, attached cards' holder names, contact notes, and the name and phone in their
   * registration's recorded payload (its content hash is kept, so a resend is still recognised). Journal entries,
   * transactions, balances and consent records are kept. null: no such member.
   */
  erase(memberId: string, at: string): Promise<MemberProfile | null>;
}
