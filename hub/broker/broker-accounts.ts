/**
 * Accounts on a broker that keeps its own (Mosquitto with dynamic security), kept in step with the fleet: a
 * kiosk gets its account when it enrols (the only moment its secret is in clear at the hub) and loses it when
 * it is revoked. The embedded broker needs none: it reads the fleet itself on every login.
 */
import type { ScopedIdentity } from '../../core/wire/config-scopes.ts';

export interface BrokerAccounts {
  addDevice(identity: ScopedIdentity, secret: string): Promise<void>;
  /** Refuses the device's logins from now on and disconnects it if connected; done again is harmless. */
  disableDevice(deviceId: string): Promise<void>;
}
