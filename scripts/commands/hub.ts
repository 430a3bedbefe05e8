/** `memberkiosk hub`: the hub alone, with an embedded broker unless --broker names an external one. */
import { ZodError } from 'zod';
import { redactBrokerUrl } from '../../hub/mqtt/redact-broker-url.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';
import { waitForShutdown } from '../wait-for-shutdown.ts';
import { nodeRedFlagOptions, nodeRedFlagUsage, parseNodeRedFlags } from './node-red-flags.ts';

/** The hub's messaging from flags and, for its secrets, the environment (never flags: they show in `ps`). */
function messagingFromFlags(values: { 'sms-relay'?: string | undefined; 'sms-signature'?: string | undefined; 'staff-webhook'?: string | undefined }) {
  const env = process.env;
  return {
    sms: values['sms-relay'] ? { kind: 'http' as const, url: values['sms-relay'], token: env['MEMBERKIOSK_SMS_TOKEN'] ?? '', signature: values['sms-signature'] ?? '' } : null,
    staffWebhook: values['staff-webhook'] ? { url: values['staff-webhook'], secret: env['MEMBERKIOSK_STAFF_WEBHOOK_SECRET'] ?? null } : null,
    inboundToken: env['MEMBERKIOSK_SMS_INBOUND_TOKEN'] ?? null,
  };
}

const USAGE = `usage: memberkiosk hub [--data DIR] [--db postgres://USER@HOST:PORT/DATABASE] [--broker mqtt(s)://user:pass@host:port [--broker-ca FILE] | --mqtt-host H --mqtt-port N]
                       [--http-host H] [--http-port N] [--tls-host H] [--mqtts-port N] [--https-port N]
                       [--tls-name NAME]... [--tls-cert FILE --tls-key FILE --tls-ca FILE]
                       [--worker ID] [--demo true|false] [--log-level L]
                       [--node-red [--node-red-port N] [--node-red-flows A,B] [--flows-act-as STAFF_ID]]
                       [--sms-relay URL --sms-signature TEXT] [--staff-webhook URL]
  --data        ledger, fleet (fleet.sqlite), TLS (tls/) and HQ public key directory; default ./data/hub
  --db          the ledger on PostgreSQL instead of DATA/ledger.sqlite (created and migrated on first start); the
                password from PGPASSWORD (keep it out of the URL: \`ps\` shows arguments), never printed. The fleet,
                signed configuration and device registry are in the database too (no DATA/fleet.sqlite); give the
                fleet commands (regions, stores, enrol, devices, config) the same --db
  --worker      run as one of several hub workers, with this id (unique, kept across restarts; labels its metrics):
                needs --db postgres://… and --broker (Mosquitto 2, shared subscriptions); each worker applies
                transactions and answers look-ups, one elected leader runs the scheduled jobs, the device registry
                and Node-RED (docs/OPERATIONS.md, "Several hub workers")
  --broker      an external MQTT broker; the hub waits for it, retrying with backoff (0.5 s doubling to 30 s), and
                logs each failed attempt (BROKER_UNREACHABLE; refused credentials: BROKER_AUTH_REFUSED at error)
  --mqtt-host, --mqtt-port   without --broker, the embedded broker's plain listener; default 127.0.0.1:1883
                             (loopback only: PLAIN_LISTENER_NOT_LOOPBACK otherwise)
  --http-host, --http-port   plain console and admin API; default 127.0.0.1:8800, loopback only (port 0: any)
  --kiosk-broker  with --broker: the mqtts:// address kiosks use, told to them at enrolment
  --dynsec-admin  with --broker on Mosquitto's dynamic security plugin: mqtt://ADMIN:PASSWORD@host:port of a dynsec
                admin; each enrolled kiosk gets its account there, each revoked one loses it
  --broker-ca   with an mqtts:// --broker: a PEM file of the CA that signed the broker's certificate, when it is
                neither the hub's own CA (DATA/tls/ca.crt, trusted anyway) nor a public one
  --tls-host    where the TLS listeners bind (kiosks and browsers on the network); default 127.0.0.1,
                e.g. 0.0.0.0 on a store network
  --mqtts-port  the embedded broker over TLS, for kiosks; default 8883
  --https-port  console, API and kiosk enrolment (POST /api/enrol) over TLS; default 8443
  --tls-name    a host name or address kiosks reach the hub by, for its certificate (repeatable); the hub
                makes its own CA and certificate under DATA/tls/ on first start
  --tls-cert, --tls-key, --tls-ca   a chain's own certificate (with chain), key and CA instead
  --demo        seed demo members, cards, staff and gifts into an empty ledger; default false
  --log-level   fatal | error | warn | info (default) | debug | trace | silent
${nodeRedFlagUsage(1881).join('\n')}
                    the editor is served behind the console at /node-red/ (HQ admins and technicians)
  --flows-act-as    the staff account (region manager or HQ admin of all stores) the flows' points grants are made by
  --sms-relay       the chain's SMS relay (POST {phone, text, signature}); its token from MEMBERKIOSK_SMS_TOKEN, the
                    token it forwards members' replies with from MEMBERKIOSK_SMS_INBOUND_TOKEN
  --sms-signature   the SMS signature the relay puts in 【】, e.g. 某某超市
  --staff-webhook   a WeCom / DingTalk group robot for store managers' alerts; its signing secret from
                    MEMBERKIOSK_STAFF_WEBHOOK_SECRET
  GET /metrics (Prometheus) is open on the plain loopback listener; on TLS it needs the bearer token in
  MEMBERKIOSK_METRICS_TOKEN (16+ characters). MEMBERKIOSK_HUB_ID labels this hub's series (default: host name).
exit codes: 0 stopped cleanly (SIGINT/SIGTERM), 1 could not start, 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('hub', USAGE, {
    args,
    options: {
      data: { type: 'string', default: './data/hub' },
      db: { type: 'string' },
      broker: { type: 'string' },
      'mqtt-host': { type: 'string', default: '127.0.0.1' },
      'mqtt-port': { type: 'string', default: '1883' },
      'http-host': { type: 'string', default: '127.0.0.1' },
      'http-port': { type: 'string', default: '8800' },
      'kiosk-broker': { type: 'string' },
      'dynsec-admin': { type: 'string' },
      'broker-ca': { type: 'string' },
      'tls-host': { type: 'string', default: '127.0.0.1' },
      'mqtts-port': { type: 'string', default: '8883' },
      'https-port': { type: 'string', default: '8443' },
      'tls-name': { type: 'string', multiple: true, default: [] },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      demo: { type: 'string', default: 'false' },
      'log-level': { type: 'string', default: 'info' },
      worker: { type: 'string' },
      ...nodeRedFlagOptions(),
      'flows-act-as': { type: 'string' },
      'sms-relay': { type: 'string' },
      'sms-signature': { type: 'string' },
      'staff-webhook': { type: 'string' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  const ownTls = [values['tls-cert'], values['tls-key'], values['tls-ca']];
  if (ownTls.some(Boolean) && !ownTls.every(Boolean)) return usageError('hub', USAGE, '--tls-cert, --tls-key and --tls-ca go together');
  // The HQ console web app, built on first start (and when its sources changed): scripts/console/.
  await (await import('../console/ensure-console-built.ts')).prepareConsole();
  // Loaded only now, so --help and bad flags are answered without opening the ledger code.
  const { createHub } = await import('../../hub/main.ts');
  let hub;
  try {
    hub = createHub({
      dataDir: values.data,
      ...(values.db ? { db: { kind: 'postgres' as const, url: values.db } } : {}),
      broker: values.broker
        ? { mode: 'external', url: values.broker, ...(values['kiosk-broker'] ? { kioskUrl: values['kiosk-broker'] } : {}), ...(values['dynsec-admin'] ? { dynsecAdminUrl: values['dynsec-admin'] } : {}), ...(values['broker-ca'] ? { caFile: values['broker-ca'] } : {}) }
        : { mode: 'embedded', host: values['mqtt-host'], port: Number(values['mqtt-port']), tlsHost: values['tls-host'], tlsPort: Number(values['mqtts-port']) },
      http: { host: values['http-host'], port: Number(values['http-port']) },
      https: { host: values['tls-host'], port: Number(values['https-port']) },
      tls: {
        hostNames: values['tls-name'],
        own: values['tls-cert'] && values['tls-key'] && values['tls-ca'] ? { certFile: values['tls-cert'], keyFile: values['tls-key'], caFile: values['tls-ca'] } : null,
      },
      seedDemoData: values.demo === 'true',
      logLevel: values['log-level'] as 'info',
      nodeRed: { ...parseNodeRedFlags(values), ...(values['flows-act-as'] ? { actAs: values['flows-act-as'] } : {}) },
      messaging: messagingFromFlags(values),
      ...(values.worker !== undefined ? { worker: { id: values.worker } } : {}),
    });
  } catch (error) {
    return usageError('hub', USAGE, describeConfigError(error));
  }
  // Listening for Ctrl-C before start(): with an external broker that is not up yet, start() waits (retrying)
  // as long as it takes, and stopping must end that wait cleanly rather than kill the process mid-way.
  let stopRequested = false;
  const running = hub;
  const shutdown = waitForShutdown(async () => {
    stopRequested = true;
    await running.stop();
  });
  let addresses;
  try {
    addresses = await hub.start();
  } catch (error) {
    if (stopRequested) {
      await shutdown;
      return 0;
    }
    await hub.stop().catch(() => undefined);
    const code = (error as { code?: unknown }).code;
    process.stderr.write(`memberkiosk hub: cannot start: ${(error as Error).message}${typeof code === 'string' ? ` (${code})` : ''}\n`);
    return 1;
  }
  // The broker URL may carry the hub's password: never print it.
  process.stdout.write(
    `hub console: ${addresses.consoleUrl}\nMQTT broker: ${redactBrokerUrl(addresses.brokerUrl)}\n` +
      `hub HTTPS (console, enrolment): ${addresses.httpsUrl}\nMQTT over TLS: ${addresses.brokerTlsUrl ?? '(external broker)'}\nhub CA SHA-256: ${addresses.caSha256}\n` +
      `ledger: ${values.db ? redactBrokerUrl(values.db) : `SQLite in ${values.data}/ledger.sqlite`}\n`,
  );
  const editor = await hub.nodeRed()?.ready;
  if (editor) process.stdout.write(`Node-RED editor: ${addresses.httpsUrl}/node-red/ (and ${addresses.consoleUrl}/node-red/ on this machine)\n`);
  await shutdown;
  return 0;
}

/** zod's issues as "path: message" lines, the way an operator reads them; anything else by its message. */
function describeConfigError(error: unknown): string {
  if (error instanceof ZodError) return `invalid options: ${error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${(error as Error).message} (${code})` : (error as Error).message;
}
