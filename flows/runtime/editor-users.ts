/**
 * The editor's users, as the parent checked them: a staff login and password checked once (by the hub itself, or
 * by the hub for a kiosk), then remembered here by login name for as long as the editor's session may last. Node-RED
 * asks again for every request's user (`auth.user`), so a user dropped here is out at their next click; the kiosk
 * or hub restarting forgets everyone, and the editor asks for the password again.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { EditorUser, FlowCalls } from './protocol.ts';
import { AUTH_CALLS } from './protocol.ts';
import { z } from 'zod';

export interface CheckedStaff {
  staffId: string;
  role: string;
  storeIds: readonly string[];
}

export interface EditorLogins {
  /** The staff behind a login and password, or null when refused (wrong password, locked, not allowed to edit flows). */
  check(login: string, password: string): Promise<CheckedStaff | null>;
  /** Whether the staff member may still edit flows (active, role unchanged); null: do not know now (keep them). */
  stillAllowed?(staffId: string): Promise<boolean | null>;
}

const credentialsSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
const usernameSchema = z.object({ username: z.string().min(1).max(64) });

export function editorAuthCalls(logins: EditorLogins, sessionMs: number, now: () => number = Date.now): FlowCalls {
  const known = new Map<string, { staffId: string; until: number }>();
  return {
    async [AUTH_CALLS.authenticate](params): Promise<EditorUser | null> {
      const parsed = credentialsSchema.safeParse(params);
      if (!parsed.success) throw new CodedError('FLOW_PARAMS_INVALID', 'a login and a password are needed');
      const staff = await logins.check(parsed.data.username, parsed.data.password);
      if (!staff) {
        known.delete(parsed.data.username);
        return null;
      }
      known.set(parsed.data.username, { staffId: staff.staffId, until: now() + sessionMs });
      return { username: parsed.data.username, permissions: '*' };
    },
    async [AUTH_CALLS.user](params): Promise<EditorUser | null> {
      const parsed = usernameSchema.safeParse(params);
      if (!parsed.success) return null;
      const entry = known.get(parsed.data.username);
      if (!entry || entry.until <= now()) return null;
      if ((await logins.stillAllowed?.(entry.staffId)) === false) {
        known.delete(parsed.data.username);
        return null;
      }
      return { username: parsed.data.username, permissions: '*' };
    },
  };
}
