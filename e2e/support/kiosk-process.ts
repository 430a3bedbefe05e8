/**
 * `memberkiosk device` as a child process: the kiosk exactly as a store runs it, killable with SIGKILL. Its
 * data directory is provisioned first (provision-test-kiosk.ts) unless it already is; it then starts from its
 * stored credentials, with `hubUrl` overriding the broker (the hub's loopback listener in most tests).
 */
import type { CliProcess, CliProcesses } from './cli-process.ts';
import { provisionTestKiosk } from './provision-test-kiosk.ts';

export interface KioskProcess {
  process: CliProcess;
  /** e.g. http://127.0.0.1:41234/api */
  apiUrl: string;
}

export interface KioskHub {
  /** The hub's data directory (its fleet, where the enrolment code is made) and HTTPS listener. */
  dataDir: string;
  httpsUrl: string;
}

/** `hub`: where to enrol a data directory that is not provisioned yet (absent: it must already be). */
export async function startKioskProcess(children: CliProcesses, opts: { hubUrl: string; deviceId: string; dataDir: string; hub?: KioskHub }): Promise<KioskProcess> {
  if (opts.hub) await provisionTestKiosk({ hubDataDir: opts.hub.dataDir, httpsUrl: opts.hub.httpsUrl, deviceId: opts.deviceId, kioskDir: opts.dataDir });
  const { process, match } = await children.start(['device', '--hub', opts.hubUrl, '--data', opts.dataDir, '--port', '0', '--log-level', 'warn', '--demo'], /screen: (http:\/\/\S+?)\/?\n/);
  return { process, apiUrl: `${match[1]!}/api` };
}
