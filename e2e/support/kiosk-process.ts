/** `memberkiosk device` as a child process: the kiosk exactly as a store runs it, killable with SIGKILL. */
import { DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import type { CliProcess, CliProcesses } from './cli-process.ts';

export interface KioskProcess {
  process: CliProcess;
  /** e.g. http://127.0.0.1:41234/api */
  apiUrl: string;
}

export async function startKioskProcess(children: CliProcesses, opts: { hubUrl: string; deviceId: string; dataDir: string }): Promise<KioskProcess> {
  const { process, match } = await children.start(
    ['device', '--hub', opts.hubUrl, '--id', opts.deviceId, '--store', DEMO_STORE_ID, '--data', opts.dataDir, '--port', '0', '--log-level', 'warn'],
    /screen: (http:\/\/\S+?)\/?\n/,
  );
  return { process, apiUrl: `${match[1]!}/api` };
}
