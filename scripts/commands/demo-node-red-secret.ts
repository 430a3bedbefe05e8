/**
 * The demo's Node-RED credential secret: MEMBERKIOSK_NODE_RED_SECRET when set, else one made on the demo's first
 * run with Node-RED and kept in its data directory (mode 600) — never in the repository.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_RED_SECRET_ENV } from '../../flows/runtime/node-red-config.ts';

export function demoNodeRedSecret(dataDir: string): string {
  const fromEnv = process.env[NODE_RED_SECRET_ENV];
  if (fromEnv && fromEnv.length >= 16) return fromEnv;
  const path = join(dataDir, 'node-red-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
