/**
 * What a kiosk sends to `POST /api/enrol` on the hub's HTTPS listener, and what it gets back. Shared by the hub
 * (hub/http/enrol-route.ts) and the kiosk (device/provisioning/), so both read the same shape.
 */
import { z } from 'zod';

export const enrolRequestSchema = z.object({
  code: z.string().min(1).max(200),
  /** The kiosk's own Ed25519 public key, SPKI PEM; its private key never leaves the kiosk. */
  publicKeyPem: z.string().min(1).max(2_000),
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export const enrolAnswerSchema = z.object({
  deviceId: z.string(),
  /** The MQTT password (username = device id); shown once, the hub keeps its SHA-256. */
  mqttSecret: z.string().min(32),
  storeId: z.string(),
  regionId: z.string(),
  mode: z.enum(['attended', 'unattended']),
  /** The hub's CA certificate (PEM): what the kiosk trusts for MQTT over TLS from now on. */
  caPem: z.string(),
  /** HQ's root public key (SPKI PEM), pinned by the kiosk; null while HQ has installed none on this hub. */
  hqRootPublicKeyPem: z.string().nullable(),
  /** The broker kiosks use when it is not the hub's own (an external Mosquitto); else null. */
  brokerUrl: z.string().nullable(),
  /** The embedded broker's MQTT-over-TLS port, on the host the kiosk reached the hub by; null with an external broker. */
  mqttTlsPort: z.number().int().nullable(),
  baseTopic: z.string(),
});
export type EnrolAnswer = z.infer<typeof enrolAnswerSchema>;
