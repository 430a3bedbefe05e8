/**
 * The Node-RED flags `memberkiosk device`, `hub` and `demo` share. The credential secret is never a flag (it would
 * show in `ps`): it comes from MEMBERKIOSK_NODE_RED_SECRET.
 */
import type { z } from 'zod';
import { NODE_RED_SECRET_ENV, type nodeRedConfigSchema } from '../../flows/runtime/node-red-config.ts';

export const NODE_RED_FLAG_NAMES = ['node-red', 'node-red-port', 'node-red-flows'];

export function nodeRedFlagOptions() {
  return {
    'node-red': { type: 'boolean', default: false },
    'node-red-port': { type: 'string' },
    'node-red-flows': { type: 'string' },
  } as const;
}

export function nodeRedFlagUsage(defaultPort: number): string[] {
  return [
    `  --node-red        run Node-RED (flows/) beside it; the editor on 127.0.0.1, for technicians and HQ admins;`,
    `                    the credential secret from ${NODE_RED_SECRET_ENV} (16+ characters)`,
    `  --node-red-port   the editor's port; default ${defaultPort}`,
    `  --node-red-flows  shipped flows to add, comma-separated (e.g. tenth-visit-coupon)`,
  ];
}

export class NodeRedFlagError extends Error {}

export function parseNodeRedFlags(values: { 'node-red'?: boolean; 'node-red-port'?: string; 'node-red-flows'?: string }): z.input<typeof nodeRedConfigSchema> {
  if (!values['node-red']) {
    if (values['node-red-port'] !== undefined || values['node-red-flows'] !== undefined) throw new NodeRedFlagError('--node-red-port and --node-red-flows need --node-red');
    return { enabled: false };
  }
  const port = values['node-red-port'] === undefined ? undefined : Number(values['node-red-port']);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new NodeRedFlagError(`--node-red-port: not a port: ${values['node-red-port']}`);
  const flows = (values['node-red-flows'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return { enabled: true, ...(port !== undefined ? { port } : {}), flows };
}
