/** Runs a Mosquitto command-line client (mosquitto_pub, mosquitto_sub, mosquitto_ctrl) as an outsider would: its exit code and everything it printed. */
import { spawn } from 'node:child_process';

export interface ClientRun {
  code: number | null;
  output: string;
}

/** Killed after `timeoutMs` (a subscriber that was let in waits for messages). */
export function runMosquittoClient(binary: string, args: string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<ClientRun> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { ...(options.cwd ? { cwd: options.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 5_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
