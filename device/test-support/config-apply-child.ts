/**
 * A kiosk process that applies one configuration set and dies by SIGKILL (no cleanup, no flush) at a chosen
 * point: `before-rename` (the new file written and fsynced, not yet renamed over the old one) or `after-apply`.
 * Args: config path, device id, store id, root public key file, set file, corrected time (ms), where to die.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { openConfigStore } from '../config/config-store.ts';

const [path, deviceId, storeId, rootFile, setFile, nowText, dieAt] = process.argv.slice(2);
if (!path || !deviceId || !storeId || !rootFile || !setFile || !nowText || !dieAt) throw new Error('usage: config-apply-child PATH DEVICE STORE ROOT_FILE SET_FILE NOW_MS before-rename|after-apply');
const die = () => process.kill(process.pid, 'SIGKILL');
const store = openConfigStore({
  path,
  deviceId,
  storeId,
  hqRootPublicKeyPem: readFileSync(rootFile, 'utf8'),
  logger: pino({ level: 'silent' }),
  ...(dieAt === 'before-rename' ? { beforeRename: die } : {}),
});
const outcome = store.offer(JSON.parse(readFileSync(setFile, 'utf8')) as unknown, Number(nowText));
process.stdout.write(`${outcome.status}\n`);
die();
