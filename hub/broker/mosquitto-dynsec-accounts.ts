/**
 * Kiosk accounts on Mosquitto's dynamic security plugin, through its control topic
 * (`$CONTROL/dynamic-security/v1`, what `mosquitto_ctrl dynsec` sends), logged in as a dynsec admin. Each kiosk
 * gets a client (user name and client id = device id, the enrolment secret as password) and a role of its own
 * with exactly the grants of device-acl.ts — the plugin's ACLs have no %u, so a shared role cannot say "its own
 * namespace". Commands go over MQTT, so the secret is never on a command line.
 */
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import type { ScopedIdentity } from '../../core/wire/config-scopes.ts';
import { createTopics, DEFAULT_BASE_TOPIC } from '../../core/wire/topics.ts';
import type { BrokerAccounts } from './broker-accounts.ts';
import { deviceGrants } from './device-acl.ts';

const CONTROL = '$CONTROL/dynamic-security/v1';

interface DynsecResponse {
  command: string;
  error?: string;
}

export interface DynsecOptions {
  /** mqtt(s)://ADMIN:PASSWORD@host:port of a dynsec admin account. */
  url: string;
  baseTopic?: string;
  /** The CAs for an mqtts:// url; a function when they are known only once the hub has loaded its TLS files. */
  ca?: string[] | (() => string[]);
  logger: Logger;
}

export const deviceRoleName = (deviceId: string) => `memberkiosk-device-${deviceId}`;

export class MosquittoDynsecAccounts implements BrokerAccounts {
  private readonly log: Logger;
  private readonly topics;

  constructor(private readonly options: DynsecOptions) {
    this.log = options.logger.child({ component: 'hub.dynsec' });
    this.topics = createTopics(options.baseTopic);
  }

  async addDevice(identity: ScopedIdentity, secret: string): Promise<void> {
    const grants = deviceGrants(this.topics, identity);
    const acls = [
      ...grants.publish.map((topic) => ({ acltype: 'publishClientSend', topic, priority: 0, allow: true })),
      ...grants.subscribe.map((topic) => ({ acltype: 'subscribePattern', topic, priority: 0, allow: true })),
    ];
    const role = deviceRoleName(identity.deviceId);
    await this.run([
      { command: 'createRole', rolename: role, acls },
      { command: 'createClient', username: identity.deviceId, clientid: identity.deviceId, password: secret, roles: [{ rolename: role, priority: 0 }] },
    ]);
    this.log.info({ deviceId: identity.deviceId }, 'kiosk account created on Mosquitto');
  }

  async disableDevice(deviceId: string): Promise<void> {
    // disableClient also disconnects a client logged in under that name.
    await this.run([{ command: 'disableClient', username: deviceId }]);
    this.log.warn({ code: 'DEVICE_REVOKED', deviceId }, 'kiosk account disabled on Mosquitto');
  }

  /**
   * The hub's own account: every topic under the base, and shared subscriptions to them (`$share/GROUP/base/#`: the
   * plugin checks a subscription with its `$share/GROUP/` prefix, so hub workers need this ACL of their own).
   * Idempotent (an existing client keeps its password; a role made before worker mode gets the shared ACL added).
   */
  async ensureHubAccount(username: string, password: string): Promise<void> {
    const base = `${this.options.baseTopic ?? DEFAULT_BASE_TOPIC}/#`;
    const shared = { acltype: 'subscribePattern', topic: `$share/+/${base}`, priority: 0, allow: true };
    await this.run(
      [
        {
          command: 'createRole',
          rolename: 'memberkiosk-hub',
          acls: [...['publishClientSend', 'publishClientReceive', 'subscribePattern'].map((acltype) => ({ acltype, topic: base, priority: 0, allow: true })), shared],
        },
        { command: 'createClient', username, password, roles: [{ rolename: 'memberkiosk-hub', priority: 0 }] },
      ],
      ['already exists'],
    );
    await this.run([{ command: 'addRoleACL', rolename: 'memberkiosk-hub', ...shared }], ['already exists']);
  }

  /** Sends commands and fails on any error answered, except those whose text contains one of `tolerated`. */
  private async run(commands: Record<string, unknown>[], tolerated: string[] = []): Promise<void> {
    const client = await mqtt.connectAsync(this.options.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5_000, ...(this.options.ca ? { ca: typeof this.options.ca === 'function' ? this.options.ca() : this.options.ca } : {}) });
    try {
      const answered = new Promise<DynsecResponse[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer from the dynamic security plugin within 5 s')), 5_000);
        client.once('message', (_topic, payload) => {
          clearTimeout(timer);
          resolve((JSON.parse(payload.toString()) as { responses: DynsecResponse[] }).responses);
        });
      });
      await client.subscribeAsync(`${CONTROL}/response`, { qos: 1 });
      await client.publishAsync(CONTROL, JSON.stringify({ commands }), { qos: 1 });
      const failed = (await answered).filter((r) => r.error && !tolerated.some((t) => r.error!.includes(t)));
      if (failed.length > 0) throw new Error(`Mosquitto dynamic security refused: ${failed.map((f) => `${f.command}: ${f.error}`).join('; ')}`);
    } finally {
      await client.endAsync();
    }
  }
}
