/**
 * The member import's API (hub/http/member-import-routes.ts): the file itself is the request body, so these calls
 * do not go through the console's JSON request function. Errors are ApiError as everywhere, with the answer's
 * details (a refused commit carries the rows' errors).
 */
import { ApiError } from '../api.ts';
import type { MemberImportPreview } from '../../../hub/members-import/member-import-preview.ts';
import type { MemberImportRecord } from '../../../hub/ledger/member-import-store.ts';

export type { MemberImportPreview, MemberImportRecord };

export class ImportError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly details: Record<string, unknown> | null,
  ) {
    super(status, code, message);
  }
}

async function send<T>(path: string, file: File): Promise<T> {
  const type = file.name.toLowerCase().endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  let res: Response;
  try {
    res = await fetch(`${path}?name=${encodeURIComponent(file.name)}`, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': type }, body: file });
  } catch {
    throw new ImportError(0, 'NETWORK', 'the hub did not answer', null);
  }
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    throw new ImportError(res.status, error?.code ?? 'INTERNAL', error?.message ?? res.statusText, error?.details ?? null);
  }
  return json as T;
}

export const importApi = {
  templateUrl: '/api/member-import/template.csv',
  preview: (file: File) => send<MemberImportPreview>('/api/member-import/preview', file),
  commit: (file: File) => send<{ record: MemberImportRecord; counts: MemberImportPreview['counts']; totals: MemberImportPreview['totals'] }>('/api/member-import/commit', file),
};
