// @ts-check
/**
 * Node-RED's settings for a kiosk's or a hub's child: our nodes only (no palette installs: a kiosk is offline and
 * an install would be code nobody reviewed), the editor behind the parent's staff accounts, flows and their
 * credentials in the data directory, context kept on disk (a flow's counters survive restarts).
 */

/** @import { ChildSettings, EditorUser } from '../runtime/protocol.ts' */
/** @typedef {typeof import('../nodes/lib/bridge.js')} Bridge */

import { AUTH_CALLS } from './auth-calls.mjs';

/**
 * @param {unknown} value
 * @returns {EditorUser | null}
 */
function asUser(value) {
  if (!value || typeof value !== 'object') return null;
  const { username, permissions } = /** @type {Record<string, unknown>} */ (value);
  return typeof username === 'string' && permissions === '*' ? { username, permissions: '*' } : null;
}

/**
 * @param {ChildSettings} settings
 * @param {Bridge} bridge
 */
export function editorSettings(settings, bridge) {
  return {
    httpAdminRoot: settings.httpAdminRoot,
    // No HTTP-in endpoints: flows talk out (http request, our nodes), nothing listens for the network here.
    httpNodeRoot: false,
    httpStatic: false,
    userDir: settings.userDir,
    flowFile: 'flows.json',
    flowFilePretty: true,
    nodesDir: settings.nodesDir,
    credentialSecret: settings.credentialSecret,
    safeMode: settings.safeMode,
    adminAuth: {
      type: 'credentials',
      sessionExpiryTime: settings.sessionExpirySeconds,
      /** @param {string} username */
      users: async (username) => asUser(await bridge.call(AUTH_CALLS.user, { username }).catch(() => null)),
      /** @param {string} username @param {string} password */
      authenticate: async (username, password) => asUser(await bridge.call(AUTH_CALLS.authenticate, { username, password }).catch(() => null)),
    },
    functionExternalModules: false,
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false }, modules: { allowInstall: false } },
    contextStorage: { default: { module: 'localfilesystem' } },
    logging: { console: { level: 'info', metrics: false, audit: true } },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    editorTheme: {
      page: { title: settings.title },
      header: { title: settings.title },
      tours: false,
      projects: { enabled: false },
      menu: { 'menu-item-help': false },
    },
  };
}
