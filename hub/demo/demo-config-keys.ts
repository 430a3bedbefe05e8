/**
 * The demo's stand-in for HQ's offline root: on a hub with demo data and no HQ root installed, a root key pair is
 * made in DATA/demo-hq/, its public half installed (DATA/hq-root.pub) and a configuration signing key certified by
 * it, so `npm start`, the test hub and the kiosks they enrol pin a root and apply signed configuration. It runs
 * before anything can enrol: kiosks pin the root at enrolment. A real chain never does this: its root is made by
 * `memberkiosk keys init` on an HQ machine and stays offline.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createHqRootKey, HQ_ROOT_PRIVATE_KEY_FILE, installHqRootPublicKey, normaliseHqRootPublicKey, readHqRootPublicKey } from '../fleet/hq-root-key.ts';
import { createSigningKey, readSigningKey } from '../config/signing-key.ts';

export const DEMO_HQ_DIR = 'demo-hq';

/** What it did: made the demo root, made a signing key, or nothing (a real root, or all in place). */
export function ensureDemoConfigKeys(dataDir: string, logger: Logger): { root: boolean; signingKey: boolean } {
  const demoDir = join(dataDir, DEMO_HQ_DIR);
  const demoKeyPath = join(demoDir, HQ_ROOT_PRIVATE_KEY_FILE);
  let root = false;
  if (!readHqRootPublicKey(dataDir)) {
    if (!existsSync(demoKeyPath)) createHqRootKey(demoDir);
    installHqRootPublicKey(dataDir, readFileSync(join(demoDir, 'hq-root.pub'), 'utf8'));
    root = true;
    logger.warn({ dir: demoDir }, 'demo only: made an HQ root key on the hub and installed its public half; a real chain keeps its root offline (memberkiosk keys init on an HQ machine)');
  }
  // A root HQ installed itself is not ours to sign with.
  if (!existsSync(demoKeyPath) || normaliseHqRootPublicKey(readFileSync(join(demoDir, 'hq-root.pub'), 'utf8')) !== readHqRootPublicKey(dataDir)) return { root, signingKey: false };
  if (readSigningKey(dataDir).ok) return { root, signingKey: false };
  const made = createSigningKey(dataDir, readFileSync(demoKeyPath, 'utf8'));
  logger.info({ version: made.version, keyId: made.keyId }, 'demo configuration signing key made, certified by the demo HQ root');
  return { root, signingKey: true };
}
