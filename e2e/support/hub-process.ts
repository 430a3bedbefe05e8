/**
 * `memberkiosk hub` as a child process (embedded broker, SQLite ledger, demo data seeded on the first start),
 * so a test can SIGKILL the whole hub and start it again on the same data dir and MQTT port.
 */
import type { CliProcess, CliProcesses } from './cli-process.ts';

export interface HubProcess {
  process: CliProcess;
  /** The hub's HTTP API, e.g. http://127.0.0.1:40000 (GET /api/health, /api/audit, /api/members/:id). */
  httpUrl: string;
  brokerUrl: string;
  /** Console, API and kiosk enrolment over TLS. */
  httpsUrl: string;
  brokerTlsUrl: string;
}

export async function startHubProcess(children: CliProcesses, opts: { dataDir: string; mqttPort: number; httpsPort?: number }): Promise<HubProcess> {
  const { process, match } = await children.start(
    // --demo true: the tests tap the demo cards (the flag's default is not something to rely on).
    ['hub', '--data', opts.dataDir, '--mqtt-port', String(opts.mqttPort), '--http-port', '0', '--https-port', String(opts.httpsPort ?? 0), '--mqtts-port', '0', '--demo', 'true', '--log-level', 'warn'],
    /hub console: (http:\/\/\S+)\nMQTT broker: (mqtt:\/\/\S+)\nhub HTTPS \(console, enrolment\): (https:\/\/\S+)\nMQTT over TLS: (mqtts:\/\/\S+)\n/,
  );
  return { process, httpUrl: match[1]!, brokerUrl: match[2]!, httpsUrl: match[3]!, brokerTlsUrl: match[4]! };
}
