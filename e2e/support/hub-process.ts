/**
 * `memberkiosk hub` as a child process (embedded broker, SQLite ledger, demo data seeded on the first start),
 * so a test can SIGKILL the whole hub and start it again on the same data dir and MQTT port.
 */
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD } from '../../hub/demo/seed-demo-data.ts';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { CliProcess, CliProcesses } from './cli-process.ts';
import { postJson, putJson } from './http-json.ts';

export interface HubProcess {
  process: CliProcess;
  /** The hub's HTTP API, e.g. http://127.0.0.1:40000 (GET /api/health; /api/audit and /api/members/:id need a token). */
  httpUrl: string;
  brokerUrl: string;
  /** Console, API and kiosk enrolment over TLS. */
  httpsUrl: string;
  brokerTlsUrl: string;
}

/** `extraArgs` go after the usual flags (a later flag wins): `--db postgres://…`, another `--log-level`. */
export async function startHubProcess(children: CliProcesses, opts: { dataDir: string; mqttPort: number; mqttsPort?: number; httpsPort?: number; extraArgs?: string[] }): Promise<HubProcess> {
  const { process, match } = await children.start(
    // --demo true: the tests tap the demo cards (the flag's default is not something to rely on).
    ['hub', '--data', opts.dataDir, '--mqtt-port', String(opts.mqttPort), '--http-port', '0', '--https-port', String(opts.httpsPort ?? 0), '--mqtts-port', String(opts.mqttsPort ?? 0), '--demo', 'true', '--log-level', 'warn', ...(opts.extraArgs ?? [])],
    /hub console: (http:\/\/\S+)\nMQTT broker: (mqtt:\/\/\S+)\nhub HTTPS \(console, enrolment\): (https:\/\/\S+)\nMQTT over TLS: (mqtts:\/\/\S+)\n/,
  );
  return { process, httpUrl: match[1]!, brokerUrl: match[2]!, httpsUrl: match[3]!, brokerTlsUrl: match[4]! };
}

/** The demo HQ admin logs in to the hub's API (POST /api/login): the bearer token for its protected routes. */
export async function hubAdminToken(httpUrl: string): Promise<string> {
  const login = await postJson<{ token?: string }>(`${httpUrl}/api/login`, { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD });
  if (login.status !== 200 || !login.body.token) throw new Error(`hub login answered ${login.status}: ${JSON.stringify(login.body)}`);
  return login.body.token;
}

/** How the hub has a kiosk stand (PUT /api/devices/:id/mode, HQ admin); the kiosk asks on connect. */
export async function setDeviceModeOverHttp(httpUrl: string, token: string, deviceId: string, mode: KioskMode): Promise<void> {
  const answer = await putJson(`${httpUrl}/api/devices/${encodeURIComponent(deviceId)}/mode`, { mode }, { token });
  if (answer.status !== 200) throw new Error(`setting ${deviceId}'s mode answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}
