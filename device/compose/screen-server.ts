/**
 * The kiosk's HTTP server for its screen and API: which host names it answers to (against DNS rebinding), whether
 * the simulated reader takes taps from it, and the URLs it is reached at once it listens. Apart from device/main.ts
 * so the composition root reads as steps.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { KioskApp } from '../app/kiosk-app.ts';
import { simulatedTaps } from '../hardware/card-reader-source.ts';
import { buildApp, LOOPBACK_HOSTS } from '../http/build-app.ts';
import type { CardSource } from '../ports.ts';
import type { ResolvedDeviceConfig } from './device-config.ts';

/** Built only: the caller listens (and closes it whatever happens next). */
export function buildScreenApp(inputs: { config: ResolvedDeviceConfig; kiosk: KioskApp; cards: CardSource; logger: Logger }): FastifyInstance {
  const { config } = inputs;
  const simulatedCards = simulatedTaps(inputs.cards);
  return buildApp({
    kiosk: inputs.kiosk,
    logger: inputs.logger,
    simulatedReader: config.demo && simulatedCards !== null,
    // Loopback names, plus the address it was told to listen on (a kiosk screen on another machine of the store).
    allowedHosts: [...LOOPBACK_HOSTS, ...(config.httpHost === '0.0.0.0' || config.httpHost === '::' ? [] : [config.httpHost]), ...config.allowedHosts],
  });
}

/** The screen's and the API's URLs on the address the app listens on. */
export function screenUrls(app: FastifyInstance): { screenUrl: string; apiUrl: string } {
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  return { screenUrl: `${base}/`, apiUrl: `${base}/api` };
}
