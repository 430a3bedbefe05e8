/**
 * Carries revocations from the fleet to a broker that keeps its own accounts. The CLI revokes by writing
 * fleet.sqlite, possibly while the hub runs or while it is stopped: every second, and at start, each revoked
 * device not yet disabled on the broker is disabled (which also disconnects it).
 */
import type { Logger } from 'pino';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import type { BrokerAccounts } from './broker-accounts.ts';

export function syncRevocations(fleet: Pick<FleetRegistry, 'revokedDeviceIds'>, accounts: BrokerAccounts, logger: Logger, intervalMs = 1_000): { stop(): Promise<void> } {
  const disabled = new Set<string>();
  let running: Promise<void> | null = null;
  const poll = async () => {
    for (const deviceId of await fleet.revokedDeviceIds()) {
      if (disabled.has(deviceId)) continue;
      await accounts.disableDevice(deviceId);
      disabled.add(deviceId);
    }
  };
  const tick = () => {
    running ??= poll()
      .catch((error: unknown) => logger.error({ err: error }, 'could not carry revocations to the broker; trying again'))
      .finally(() => (running = null));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
