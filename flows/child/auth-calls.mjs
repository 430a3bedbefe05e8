// @ts-check
/** The editor login's calls to the parent (the names flows/runtime/protocol.ts's AUTH_CALLS gives them). */
export const AUTH_CALLS = /** @type {const} */ ({ authenticate: 'auth.authenticate', user: 'auth.user' });
