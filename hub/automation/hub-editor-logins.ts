/**
 * The hub's Node-RED editor is opened with a hub login and password: checked by the identity service (lockout,
 * audit) and allowed to HQ admins and technicians only (core/identity/flow-editor-roles.ts). The session the check
 * opens is closed at once: the editor keeps its own. An account deactivated or moved to another role is out at the
 * editor's next request.
 */
import { isCodedError } from '../../core/errors/coded-error.ts';
import { FLOW_EDITOR_ROLES, mayEditFlows } from '../../core/identity/flow-editor-roles.ts';
import type { CheckedStaff, EditorLogins } from '../../flows/runtime/editor-users.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';

export function hubEditorLogins(identity: Pick<IdentityService, 'login' | 'logout'>, identityStore: Pick<IdentityStore, 'staffCredentialsById'>): EditorLogins {
  return {
    async check(login, password): Promise<CheckedStaff | null> {
      try {
        const { staff, token } = await identity.login(login, password, 'hub:node-red');
        await identity.logout(token);
        return mayEditFlows(staff, null) ? { staffId: staff.staffId, role: staff.role, storeIds: staff.storeIds } : null;
      } catch (error) {
        if (isCodedError(error)) return null;
        throw error;
      }
    },
    async stillAllowed(staffId) {
      const staff = await identityStore.staffCredentialsById(staffId);
      return staff !== null && staff.active && FLOW_EDITOR_ROLES.includes(staff.role);
    },
  };
}
