/**
 * The kiosk's Node-RED editor asks the hub who is typing: a technician's (or HQ admin's) hub login and password,
 * checked by the hub with its lockout and audit, and only for an account that may edit this kiosk's flows
 * (core/identity/flow-editor-roles.ts). With the hub away nobody can log in to the editor; flows keep running.
 */
import type { Logger } from 'pino';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import type { CheckedStaff, EditorLogins } from '../../flows/runtime/editor-users.ts';

export function kioskEditorLogins(lookup: (request: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>, logger: Logger): EditorLogins {
  return {
    async check(login, password): Promise<CheckedStaff | null> {
      try {
        const answer = await lookup({ op: 'staff.editorLogin', login, password }, 10_000);
        if (!answer) {
          logger.warn('flow editor login could not be checked: the hub did not answer');
          return null;
        }
        if (answer.ok && 'editor' in answer) return { staffId: answer.editor.staffId, role: answer.editor.role, storeIds: answer.editor.storeIds };
        logger.warn({ code: answer.ok ? 'UNEXPECTED_ANSWER' : answer.code }, 'flow editor login refused');
        return null;
      } catch (error) {
        logger.warn({ err: error }, 'flow editor login could not be checked (hub away)');
        return null;
      }
    },
  };
}
