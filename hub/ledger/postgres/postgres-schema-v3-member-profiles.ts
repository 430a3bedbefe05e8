/**
 * Migration 3 of the PostgreSQL ledger: member profiles, HQ's custom member fields and the contact log (回访记录),
 * as SQLite's schema 7 (../sqlite/schema-member-profiles.ts) with the field specs of schema 8
 * (../sqlite/schema-console-features.ts member_field_specs). The consent records (member_consents) came with
 * migration 1, since the write path records a registration's consents. Same names and columns; TEXT COLLATE "C"
 * and ISO times as text as in migration 1.
 */
export const POSTGRES_SCHEMA_V3_MEMBER_PROFILES = `
CREATE TABLE member_profiles (
  member_id TEXT COLLATE "C" PRIMARY KEY,
  gender TEXT COLLATE "C" CHECK (gender IN ('female', 'male', 'other')),
  birthday TEXT COLLATE "C",
  address TEXT COLLATE "C",
  custom_fields TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  updated_at TEXT COLLATE "C" NOT NULL,
  erased_at TEXT COLLATE "C"
);
CREATE TABLE member_field_defs (
  field_key TEXT COLLATE "C" PRIMARY KEY,
  label TEXT COLLATE "C" NOT NULL,
  position BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE member_field_specs (
  field_key TEXT COLLATE "C" PRIMARY KEY,
  label_en TEXT COLLATE "C",
  type TEXT COLLATE "C" NOT NULL DEFAULT 'text' CHECK (type IN ('text', 'number', 'date', 'select')),
  required SMALLINT NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
  options TEXT COLLATE "C" NOT NULL DEFAULT '[]',
  retired_at TEXT COLLATE "C"
);
CREATE TABLE member_contacts (
  contact_id BIGSERIAL PRIMARY KEY,
  member_id TEXT COLLATE "C" NOT NULL,
  contacted_on TEXT COLLATE "C" NOT NULL,
  channel TEXT COLLATE "C" NOT NULL CHECK (channel IN ('phone', 'sms', 'wechat', 'visit', 'email', 'other')),
  note TEXT COLLATE "C" NOT NULL,
  staff_id TEXT COLLATE "C" NOT NULL,
  recorded_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX member_contacts_by_member ON member_contacts(member_id, contacted_on);
`;
