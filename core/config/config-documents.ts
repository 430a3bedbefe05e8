/**
 * The signed documents of fleet configuration, after TUF's roles (docs/ARCHITECTURE.md, "Signed configuration"):
 *
 * - `signing-key`: HQ's offline root certifies the hub's online signing key (root role → delegated key). A kiosk
 *   pinned the root at enrolment and accepts a signing key only with the root's signature, and never one older
 *   than the newest it has seen (a stolen, since-replaced key cannot be brought back).
 * - `config`: one scope's bundle (targets role), signed by the signing key, with a version (no rollback) and an
 *   expiry (no freeze: a hub that stops publishing cannot keep a kiosk on old rules for ever).
 * - `snapshot`: per kiosk, the exact scope versions (and their digests) that go together (snapshot role, against
 *   mix-and-match), the kiosk's store and region, and the number the kiosk's transactions name. Short-lived:
 *   the hub renews it, and an expired one stops offline spending (timestamp role's freshness).
 */
import { z } from 'zod';
import { configContentSchema } from './config-content.ts';
import { configScopeSchema } from './config-scope.ts';

const isoTime = z.string().datetime({ offset: true });
const version = z.number().int().positive();
const signatures = z.array(z.strictObject({ keyId: z.string().regex(/^[0-9a-f]{64}$/), sig: z.string().min(1).max(200) })).min(1).max(4);
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const signingKeyBodySchema = z.strictObject({
  type: z.literal('signing-key'),
  /** Newer certificates replace older ones; a kiosk refuses any older than the newest it holds. */
  version,
  publicKeyPem: z.string().min(1).max(1_000),
  keyId: z.string().regex(/^[0-9a-f]{64}$/),
  issuedAt: isoTime,
  expires: isoTime,
});

export const configBodySchema = z.strictObject({
  type: z.literal('config'),
  scope: configScopeSchema,
  version,
  issuedAt: isoTime,
  expires: isoTime,
  content: configContentSchema,
});

export const snapshotBodySchema = z.strictObject({
  type: z.literal('snapshot'),
  deviceId: id,
  storeId: id,
  regionId: id.nullable(),
  /** Increases with every snapshot the hub signs; what the kiosk's transactions name. */
  version,
  /** The number of the merged rules (the hub's rules bundle version) this snapshot's scopes make. */
  rulesVersion: version,
  issuedAt: isoTime,
  expires: isoTime,
  scopes: z.array(z.strictObject({ scope: configScopeSchema, version, digest: z.string().regex(/^[0-9a-f]{64}$/) })).max(4),
});

const signed = <T extends z.ZodTypeAny>(body: T) => z.strictObject({ signed: body, signatures });
export const signedSigningKeySchema = signed(signingKeyBodySchema);
export const signedConfigSchema = signed(configBodySchema);
export const signedSnapshotSchema = signed(snapshotBodySchema);

export type SigningKeyBody = z.infer<typeof signingKeyBodySchema>;
export type ConfigBody = z.infer<typeof configBodySchema>;
export type SnapshotBody = z.infer<typeof snapshotBodySchema>;
export type SignedSigningKey = z.infer<typeof signedSigningKeySchema>;
export type SignedConfig = z.infer<typeof signedConfigSchema>;
export type SignedSnapshot = z.infer<typeof signedSnapshotSchema>;

/** Everything a kiosk needs to apply its configuration, as the hub answers `config.current` on connect. */
export const configSetSchema = z.strictObject({
  signingKey: signedSigningKeySchema,
  snapshot: signedSnapshotSchema,
  bundles: z.array(signedConfigSchema).max(4),
});
export type ConfigSet = z.infer<typeof configSetSchema>;
