/**
 * CPU time a process tree has used, from /proc/PID/stat (utime + stime of every live process in the tree, plus
 * the root's cutime + cstime for children it has already reaped), in seconds. The fleet benchmarks sample it
 * before and after the load for the broker, the database and each hub worker, so their notes can say which of
 * them was busiest — the one that saturates first on this machine.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times: 100 on Linux x86-64 (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, ticks. */
  own: number;
  /** cutime + cstime (reaped children), ticks. */
  reaped: number;
}

/** Fields after the command name, which is in parentheses and may itself hold spaces or parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After ")": state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17); index 0 here is field 3.
  const rest = text.slice(close + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  return { pid, ppid: field(4), own: field(14) + field(15), reaped: field(16) + field(17) };
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (stat) stats.push(stat);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return stats;
}

/** CPU seconds used so far by `rootPid` and everything below it; 0 once the root is gone. */
export function treeCpuSeconds(rootPid: number): number {
  const stats = allStats();
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return 0;
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) tree.push(...stats.filter((s) => s.ppid === tree[i]!.pid));
  return (tree.reduce((sum, s) => sum + s.own, 0) + root.reaped) / TICKS_PER_SECOND;
}

/** The pid of the first process whose command line contains every one of `parts` (its oldest match: the root). */
export function findPid(parts: readonly string[]): number | null {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((p) => command.includes(p))) found.push(Number(name));
    } catch {
      // Gone.
    }
  }
  return found.length === 0 ? null : Math.min(...found);
}
