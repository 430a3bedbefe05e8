/**
 * A process and its descendants as Linux shows them in /proc: pid, parent, command line and resident memory
 * (VmRSS). The kiosk-footprint benchmark sums the tree: the kiosk with its Node-RED child is what the machine holds.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface TreeProcess {
  pid: number;
  ppid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
  rssBytes: number;
}

function readProcess(pid: number): TreeProcess | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    // A zombie or a kernel thread has no VmRSS line: it holds no memory of its own.
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid, command, rssBytes: rssKb * 1024 };
  } catch {
    // Gone between the listing and the read.
    return null;
  }
}

/** `rootPid` and every process below it, the root first. */
export function processTree(rootPid: number): TreeProcess[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is TreeProcess => p !== null);
  const root = all.find((p) => p.pid === rootPid);
  if (!root) throw new Error(`process ${rootPid} is not running`);
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) tree.push(...all.filter((p) => p.ppid === tree[i]!.pid));
  return tree;
}

export function treeRssBytes(tree: TreeProcess[]): number {
  return tree.reduce((sum, p) => sum + p.rssBytes, 0);
}
