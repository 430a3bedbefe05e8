/**
 * Adds the shipped flows a configuration names (flows/shipped/<host>/<name>.json, each one tab with a stable id) to
 * a Node-RED user directory's flows.json, leaving every flow already there as it is: a technician's edits of a
 * shipped flow survive restarts and upgrades, and a flow they deleted comes back only if the configuration still
 * names it. A flows.json that cannot be read is never overwritten.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../core/errors/coded-error.ts';
import { repositoryPath } from '../../core/paths/repository-path.ts';

// From the repository, also when this module runs compiled (dist/): the flows are not part of the build.
export const SHIPPED_FLOWS_DIR = repositoryPath('flows', 'shipped');

export type FlowHost = 'kiosk' | 'hub';

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  [key: string]: unknown;
}

export function shippedFlowNames(host: FlowHost): string[] {
  const dir = join(SHIPPED_FLOWS_DIR, host);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

function readShipped(host: FlowHost, name: string): FlowNode[] {
  if (!shippedFlowNames(host).includes(name)) {
    throw new CodedError('FLOW_UNKNOWN', `no shipped ${host} flow named ${name}; there are: ${shippedFlowNames(host).join(', ') || 'none'}`);
  }
  return JSON.parse(readFileSync(join(SHIPPED_FLOWS_DIR, host, `${name}.json`), 'utf8')) as FlowNode[];
}

function readFlows(path: string): FlowNode[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed as FlowNode[];
  } catch {
    // Falls through to the refusal: the file is someone's work.
  }
  throw new CodedError('FLOWS_FILE_UNREADABLE', `${path} is not a Node-RED flows file; it is left as it is and no shipped flow was added`);
}

/** Returns the names added now (those already there are skipped). */
export function installShippedFlows(userDir: string, host: FlowHost, names: readonly string[]): string[] {
  const path = join(userDir, 'flows.json');
  const flows = readFlows(path);
  const ids = new Set(flows.map((node) => node.id));
  const added: string[] = [];
  for (const name of names) {
    const shipped = readShipped(host, name);
    const tab = shipped.find((node) => node.type === 'tab');
    if (!tab) throw new CodedError('FLOW_UNKNOWN', `shipped flow ${name} has no tab`);
    if (ids.has(tab.id)) continue;
    for (const node of shipped) ids.add(node.id);
    flows.push(...shipped);
    added.push(name);
  }
  if (added.length > 0) {
    // Written whole then renamed: a power cut leaves the old file or the new one, never half of one.
    writeFileSync(`${path}.tmp`, `${JSON.stringify(flows, null, 4)}\n`);
    renameSync(`${path}.tmp`, path);
  }
  return added;
}
