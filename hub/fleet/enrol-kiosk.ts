/** The hub's answer to a kiosk redeeming its code: the grant, plus where and how to reach the broker. */
import type { Logger } from 'pino';
import type { EnrolAnswer, EnrolRequest } from '../../core/fleet/enrolment-wire.ts';
import type { BrokerAccounts } from '../broker/broker-accounts.ts';
import { redeemEnrolmentCode } from './enrolment.ts';
import type { FleetRegistry } from './fleet-registry.ts';

export interface EnrolKioskDeps {
  fleet: FleetRegistry;
  caPem: string;
  hqRootPublicKey: () => string | null;
  /** An external broker's URL for kiosks; null: the embedded one's TLS port on the host the kiosk reached. */
  brokerUrl: string | null;
  mqttTlsPort: () => number | null;
  baseTopic: string;
  logger: Logger;
  /** An external broker's own accounts (Mosquitto dynsec), given the kiosk's at enrolment. */
  accounts?: BrokerAccounts;
}

export function enrolKiosk(deps: EnrolKioskDeps): (request: EnrolRequest) => Promise<EnrolAnswer> {
  return async (request) => {
    const grant = await redeemEnrolmentCode(deps.fleet, request, deps.logger, deps.accounts);
    return {
      ...grant,
      caPem: deps.caPem,
      hqRootPublicKeyPem: deps.hqRootPublicKey(),
      brokerUrl: deps.brokerUrl,
      mqttTlsPort: deps.mqttTlsPort(),
      baseTopic: deps.baseTopic,
    };
  };
}
