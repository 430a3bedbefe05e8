/**
 * The hub's HTTP API as the console uses it. The session is the HttpOnly cookie POST /api/login sets (never a
 * token in page storage); every error is `{error: {code, message}}` (core/errors/codes.ts), raised as ApiError.
 */
import type { MemberRecord, MemberSearchField, MemberSearchHit } from '../../hub/ledger/member-console-store.ts';
import type { AuditEntry } from '../../hub/identity/audit-entry.ts';

export type { MemberRecord, MemberSearchField, MemberSearchHit, AuditEntry };

export type StaffRole = 'cashier' | 'store_manager' | 'technician' | 'region_manager' | 'hq_admin';

export interface Me {
  staffId: string;
  name: string;
  role: StaffRole;
  storeIds: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called when a request answers 401: the session ended (expired, signed out elsewhere). */
let onSignedOut: (() => void) | null = null;
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'the hub did not answer');
  }
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    // A coded error, or a transaction the ledger refused (its result names the code: core/wire/result.ts).
    const answer = json as { error?: { code?: string; message?: string }; status?: string; code?: string; message?: string } | null;
    const error = answer?.error ?? (answer?.status === 'rejected' ? { code: answer.code, message: answer.message } : undefined);
    if (res.status === 401 && path !== '/api/login') onSignedOut?.();
    throw new ApiError(res.status, error?.code ?? 'INTERNAL', error?.message ?? res.statusText);
  }
  return json as T;
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  login: (login: string, password: string) => request<{ staff: Me; expiresAt: string }>('POST', '/api/login', { login, password }),
  logout: () => request<{ ok: true }>('POST', '/api/logout'),
  me: () => request<{ staff: Me; expiresAt: string }>('GET', '/api/me'),
  searchMembers: (q: string, field: MemberSearchField) =>
    request<{ members: MemberSearchHit[]; phoneVisible: boolean }>('GET', `/api/member-search${query({ q, field })}`),
  memberRecord: (memberId: string) => request<MemberRecord & { phoneVisible: boolean }>('GET', `/api/members/${encodeURIComponent(memberId)}/record`),
  staff: () => request<{ staff: { staffId: string; name: string; role: StaffRole }[] }>('GET', '/api/staff'),
  auditLog: (filters: { actorId?: string; action?: string; target?: string; surface?: string; outcome?: string; from?: string; to?: string; beforeId?: number; limit?: number }) =>
    request<{ entries: AuditEntry[] }>('GET', `/api/audit-log${query(filters)}`),
};
