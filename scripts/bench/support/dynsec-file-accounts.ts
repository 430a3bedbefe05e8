/**
 * Kiosk accounts for Mosquitto's dynamic security plugin made in bulk: the same client and role per kiosk as
 * hub/broker/mosquitto-dynsec-accounts.ts makes through the plugin's control topic (deviceGrants, deviceRoleName; the
 * password hashed as the plugin hashes it: PBKDF2-HMAC-SHA512, 12-byte salt, 101 iterations, 64 bytes), written
 * into the plugin's JSON file while the broker is stopped, as restoring a backup of that file would.
 *
 * Why not the control topic, batched: the plugin (Mosquitto 2.0) rewrites its whole file after every command, so
 * each account costs time in proportion to the accounts already there — measured here, a control message of 100
 * kiosks took 0.3 s on an empty broker and 10 s with 900 kiosks in it; 5,000 would take hours. The broker then
 * checks each kiosk's login and ACL through the plugin exactly as for an account made by the hub.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { BrokerAccounts } from '../../../hub/broker/broker-accounts.ts';
import { deviceGrants } from '../../../hub/broker/device-acl.ts';
import { deviceRoleName } from '../../../hub/broker/mosquitto-dynsec-accounts.ts';
import type { ScopedIdentity } from '../../../core/wire/config-scopes.ts';
import { createTopics } from '../../../core/wire/topics.ts';

const ITERATIONS = 101;

interface DynsecClient {
  username: string;
  clientid: string;
  password: string;
  salt: string;
  iterations: number;
  roles: { rolename: string; priority: number }[];
}

interface DynsecRole {
  rolename: string;
  acls: { acltype: string; topic: string; priority: number; allow: boolean }[];
}

/** How the plugin stores a password: base64 of PBKDF2-HMAC-SHA512 over a random 12-byte salt. */
export function dynsecPasswordHash(password: string, salt = randomBytes(12)): { password: string; salt: string; iterations: number } {
  return { password: pbkdf2Sync(password, salt, ITERATIONS, 64, 'sha512').toString('base64'), salt: salt.toString('base64'), iterations: ITERATIONS };
}

export class DynsecFileAccounts implements BrokerAccounts {
  private readonly topics = createTopics();
  private readonly clients: DynsecClient[] = [];
  private readonly roles: DynsecRole[] = [];

  addDevice(identity: ScopedIdentity, secret: string): Promise<void> {
    const grants = deviceGrants(this.topics, identity);
    const rolename = deviceRoleName(identity.deviceId);
    this.roles.push({
      rolename,
      acls: [
        ...grants.publish.map((topic) => ({ acltype: 'publishClientSend', topic, priority: 0, allow: true })),
        ...grants.subscribe.map((topic) => ({ acltype: 'subscribePattern', topic, priority: 0, allow: true })),
      ],
    });
    this.clients.push({ username: identity.deviceId, clientid: identity.deviceId, ...dynsecPasswordHash(secret), roles: [{ rolename, priority: 0 }] });
    return Promise.resolve();
  }

  disableDevice(): Promise<void> {
    return Promise.reject(new Error('the benchmark never revokes a kiosk'));
  }

  /** How many accounts are waiting to be written. */
  get size(): number {
    return this.clients.length;
  }

  /** Adds every account made so far to the plugin's file (`dynsec.json`); the broker must be stopped. */
  writeInto(configFile: string): void {
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { clients?: DynsecClient[]; roles?: DynsecRole[] };
    config.clients = [...(config.clients ?? []), ...this.clients];
    config.roles = [...(config.roles ?? []), ...this.roles];
    writeFileSync(configFile, JSON.stringify(config));
  }
}
