/**
 * The `nodeRed` section of a kiosk's or the hub's configuration. Off by default: a kiosk runs no Node-RED until a
 * technician switches it on. The credential secret (it encrypts the flows' stored credentials) comes from here or from
 * MEMBERKIOSK_NODE_RED_SECRET, never from the repository.
 */
import { z } from 'zod';

export const NODE_RED_SECRET_ENV = 'MEMBERKIOSK_NODE_RED_SECRET';

const loopback = z.string().refine((host) => host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host), {
  message: 'the Node-RED editor listens on loopback only (reach a kiosk through an SSH tunnel, the hub through its console)',
});

export const nodeRedConfigSchema = z.object({
  enabled: z.boolean().default(false),
  host: loopback.default('127.0.0.1'),
  /** 0: any free port (tests). */
  port: z.number().int().min(0).max(65535).default(1880),
  credentialSecret: z.string().min(16, 'the Node-RED credential secret is at least 16 characters').optional(),
  /** Shipped flows (flows/shipped/) added to the flows on start when they are not there yet. */
  flows: z.array(z.string().regex(/^[a-z0-9-]{1,64}$/)).default([]),
  heartbeatMs: z.number().int().min(100).max(60_000).default(1_000),
  unresponsiveMs: z.number().int().min(500).max(600_000).default(5_000),
  maxOldSpaceMb: z.number().int().min(32).max(4096).default(128),
  sessionHours: z.number().int().min(1).max(24).default(8),
});
export type NodeRedConfig = z.output<typeof nodeRedConfigSchema>;
export const NODE_RED_OFF: z.input<typeof nodeRedConfigSchema> = { enabled: false };

/** The secret from the configuration, else the environment; null when neither has one of at least 16 characters. */
export function nodeRedSecret(config: NodeRedConfig, env: NodeJS.ProcessEnv = process.env): string | null {
  const secret = config.credentialSecret ?? env[NODE_RED_SECRET_ENV];
  return secret && secret.length >= 16 ? secret : null;
}
