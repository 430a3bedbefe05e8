/** Who is signed in, as the hub says (GET /api/me): the menu and the router guard read it. */
import { reactive } from 'vue';
import { api, ApiError, type Me } from './api.ts';

export const session = reactive<{ me: Me | null; expiresAt: string | null; checked: boolean }>({ me: null, expiresAt: null, checked: false });

export async function loadSession(): Promise<void> {
  try {
    const { staff, expiresAt } = await api.me();
    session.me = staff;
    session.expiresAt = expiresAt;
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) throw error;
    session.me = null;
    session.expiresAt = null;
  } finally {
    session.checked = true;
  }
}

export async function signIn(login: string, password: string): Promise<void> {
  const { staff, expiresAt } = await api.login(login, password);
  session.me = staff;
  session.expiresAt = expiresAt;
  session.checked = true;
}

export async function signOut(): Promise<void> {
  await api.logout().catch(() => undefined);
  forget();
}

export function forget(): void {
  session.me = null;
  session.expiresAt = null;
}
