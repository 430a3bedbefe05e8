import { describe, expect, it } from 'vitest';
import { editorAuthCalls, type CheckedStaff } from './editor-users.ts';
import { AUTH_CALLS } from './protocol.ts';

const tech: CheckedStaff = { staffId: 'S-TECH', role: 'technician', storeIds: ['S1'] };

describe('editorAuthCalls', () => {
  it('lets in whom the host accepted, until the session ends or the account is no longer allowed', async () => {
    let now = 1_000;
    let allowed = true;
    const calls = editorAuthCalls(
      { check: async (login, password) => (login === 'li.tech' && password === 'right password' ? tech : null), stillAllowed: async () => allowed },
      60_000,
      () => now,
    );
    const authenticate = calls[AUTH_CALLS.authenticate]!;
    const user = calls[AUTH_CALLS.user]!;
    expect(await authenticate({ username: 'li.tech', password: 'wrong password' })).toBeNull();
    expect(await user({ username: 'li.tech' })).toBeNull();
    expect(await authenticate({ username: 'li.tech', password: 'right password' })).toEqual({ username: 'li.tech', permissions: '*' });
    expect(await user({ username: 'li.tech' })).toEqual({ username: 'li.tech', permissions: '*' });
    now += 61_000;
    expect(await user({ username: 'li.tech' })).toBeNull();
    await authenticate({ username: 'li.tech', password: 'right password' });
    allowed = false;
    expect(await user({ username: 'li.tech' })).toBeNull();
  });

  it('refuses malformed parameters with a code', async () => {
    const calls = editorAuthCalls({ check: async () => tech }, 60_000);
    await expect(calls[AUTH_CALLS.authenticate]!({ username: '' })).rejects.toMatchObject({ code: 'FLOW_PARAMS_INVALID' });
  });
});
