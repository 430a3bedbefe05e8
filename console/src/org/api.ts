/**
 * The Organisation and My account pages' calls to the hub (hub/http/staff-routes.ts, hub/http/fleet-routes.ts),
 * through the console's one request function (../api.ts: the session cookie, ApiError, sign-out on 401).
 */
import { query, request, type StaffRole } from '../api.ts';

export interface StaffAccount {
  staffId: string;
  name: string;
  role: StaffRole;
  storeIds: string[];
  active: boolean;
  login: string | null;
  hasCard: boolean;
  hasPin: boolean;
  hasPassword: boolean;
  level: string | null;
  lockedUntil: string | null;
}

export interface NewStaff {
  name: string;
  role: StaffRole;
  storeIds: string[];
  login?: string;
  password?: string;
  cardUid?: string;
  pin?: string;
}

export interface Region {
  regionId: string;
  name: string;
}

export interface Store {
  storeId: string;
  name: string;
  regionId: string;
  /** The store's profile (printed on its receipts; its kiosks' time zone): hub/http/fleet-routes.ts. */
  address: string;
  phone: string;
  timezone: string;
}

export type StoreChange = Partial<Pick<Store, 'name' | 'address' | 'phone' | 'timezone'>>;

/** A kiosk as GET /api/devices shows it (hub/registry/devices-view.ts), the fields these pages read. */
export interface Device {
  deviceId: string;
  storeId: string | null;
  regionId: string | null;
  mode: 'attended' | 'unattended' | null;
  enrolledAt: string | null;
  revokedAt: string | null;
  online: boolean | null;
  lastSeen: string | null;
  software: string | null;
  snapshotVersion: number | null;
  rulesVersion: number | null;
  configExpires: string | null;
  outboxDepth: number | null;
  clockOffsetMs: number | null;
  lastAlert: { code: string; at: string | null; detail: Record<string, unknown> | null } | null;
  reported: boolean;
}

export interface OwnSession {
  ref: string;
  kind: 'kiosk' | 'login' | 'api_token';
  deviceId: string;
  label: string | null;
  openedAt: string;
  expiresAt: string;
  current: boolean;
}

const staffPath = (staffId: string) => `/api/staff/${encodeURIComponent(staffId)}`;

export const orgApi = {
  staff: () => request<{ staff: StaffAccount[] }>('GET', '/api/staff'),
  createStaff: (body: NewStaff) => request<StaffAccount>('POST', '/api/staff', body),
  changeStaff: (staffId: string, body: { name?: string; role?: StaffRole; storeIds?: string[] }) => request<StaffAccount>('PATCH', staffPath(staffId), body),
  setActive: (staffId: string, active: boolean) => request<StaffAccount>('POST', `${staffPath(staffId)}/active`, { active }),
  resetPin: (staffId: string, pin: string) => request<StaffAccount>('POST', `${staffPath(staffId)}/pin`, { pin }),
  resetPassword: (staffId: string, password: string) => request<StaffAccount>('POST', `${staffPath(staffId)}/password`, { password }),

  regions: () => request<{ regions: Region[] }>('GET', '/api/regions'),
  addRegion: (id: string, name: string) => request<Region>('POST', '/api/regions', { id, name }),
  stores: () => request<{ stores: Store[] }>('GET', '/api/stores'),
  addStore: (id: string, name: string, regionId: string, profile: StoreChange = {}) => request<Store>('POST', '/api/stores', { id, name, regionId, ...profile }),
  changeStore: (storeId: string, change: StoreChange) => request<Store>('PATCH', `/api/stores/${encodeURIComponent(storeId)}`, change),

  devices: (scope?: string) => request<{ devices: Device[] }>('GET', `/api/devices${query({ scope })}`),
  createEnrolmentCode: (body: { storeId: string; mode: 'attended' | 'unattended'; ttlHours: number }) => request<{ code: string; expiresAt: string }>('POST', '/api/enrolment-codes', body),
  revokeDevice: (deviceId: string) => request<{ deviceId: string; revokedAt: string }>('POST', `/api/devices/${encodeURIComponent(deviceId)}/revoke`),

  changeOwnPassword: (currentPassword: string, newPassword: string) => request<{ ok: true }>('POST', '/api/me/password', { currentPassword, newPassword }),
  mySessions: () => request<{ sessions: OwnSession[] }>('GET', '/api/me/sessions'),
  endMySession: (ref: string) => request<{ ok: true }>('POST', `/api/me/sessions/${encodeURIComponent(ref)}/end`),
};
