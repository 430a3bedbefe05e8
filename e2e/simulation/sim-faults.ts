/**
 * The seed's faults put on the run's clock: process crashes and restarts, broker restarts, connections that
 * die with each side noticing in its own time, hub stalls, another sender. Also when the last of them is over,
 * since the run must drain only after that.
 */
import type { OtherSender } from './other-sender.ts';
import type { SimHub } from './sim-hub.ts';
import type { SimKiosk } from './sim-kiosk.ts';
import type { SimRun } from './sim-run-context.ts';

/** Schedules every fault of the run's config; returns when the last one ends (its down time included). */
export function scheduleFaults(run: SimRun, parts: { hub: SimHub; kiosk: SimKiosk; otherSender: OtherSender }): number {
  const { sched, broker, config, trace } = run;
  const { state: hub } = parts.hub;
  const { state: kiosk } = parts.kiosk;
  let lastFaultEnd = 0;
  for (const fault of config.faults) {
    sched.at(fault.at, () => {
      switch (fault.kind) {
        case 'kiosk-crash':
          if (!kiosk.alive) return;
          parts.kiosk.crash();
          sched.after(fault.downMs, parts.kiosk.start);
          break;
        case 'hub-crash':
          if (!hub.alive) return;
          parts.hub.crash();
          sched.after(fault.downMs, () => {
            if (config.embeddedBroker) {
              trace(() => 'broker: starts (embedded)');
              broker.restart();
            }
            parts.hub.start();
          });
          break;
        case 'broker-restart':
          if (!broker.alive) return;
          trace(() => 'broker: CRASH');
          broker.crash();
          sched.after(fault.downMs, () => {
            trace(() => 'broker: starts');
            broker.restart();
          });
          break;
        case 'kiosk-drop':
          if (kiosk.client?.dropConnection(fault.clientNoticesMs, fault.brokerNoticesMs)) trace(() => `network: kiosk connection dies (kiosk notices in ${fault.clientNoticesMs} ms, broker in ${fault.brokerNoticesMs} ms)`);
          break;
        case 'hub-drop':
          if (hub.client?.dropConnection(fault.clientNoticesMs, fault.brokerNoticesMs)) trace(() => `network: hub connection dies (hub notices in ${fault.clientNoticesMs} ms, broker in ${fault.brokerNoticesMs} ms)`);
          break;
        case 'hub-stall':
          if (!hub.alive) return;
          trace(() => `hub: busy for ${fault.ms} ms (a slow disk, a long pause)`);
          hub.busyUntil = Math.max(hub.busyUntil, sched.now) + fault.ms;
          break;
        case 'other-sender':
          parts.otherSender.send(fault.takeNext);
          break;
      }
    });
    const end = fault.at + ('downMs' in fault ? fault.downMs : 'ms' in fault ? fault.ms : 'clientNoticesMs' in fault ? Math.max(fault.clientNoticesMs, fault.brokerNoticesMs) : 1_000);
    lastFaultEnd = Math.max(lastFaultEnd, end);
  }
  return lastFaultEnd;
}
