/**
 * The fleet over the hub's API, for HQ's console and automations: regions, stores, enrolment codes, devices and
 * their revocation — what `memberkiosk regions|stores|enrol|devices` do on the data directory. HQ admins only;
 * every change goes into the audit log with who made it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { DEVICE_ID_PATTERN } from '../../core/wire/topics.ts';
import type { EnrolledDevice, FleetRegistry } from '../fleet/fleet-registry.ts';
import { createEnrolmentCode } from '../fleet/enrolment.ts';
import { recordKioskMode } from '../fleet/record-kiosk-mode.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { readDevicesView, type DeviceStatusSource } from '../registry/read-devices-view.ts';
import { MEMBER_READERS, requireStaff } from './require-staff.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { isIanaTimeZone, storeProfileFieldsSchema } from '../../core/fleet/store-profile.ts';

export interface FleetRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit' | 'setDeviceMode' | 'setDeviceStore'>;
  fleet: FleetRegistry;
  /** The hub CA's SHA-256, which every code carries. */
  caSha256: () => string;
  /** Revokes and disconnects at once (hub.revokeDevice). */
  revoke: (deviceId: string) => Promise<EnrolledDevice | null>;
  /** The device registry (hub.deviceStatus): what each kiosk last reported; absent, devices show as never reported. */
  deviceStatus?: DeviceStatusSource;
}

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, '1–64 letters, digits, - or _');
const regionBody = z.object({ id, name: z.string().trim().min(1).max(64) });
const storeBody = z.object({ id, name: z.string().trim().min(1).max(64), regionId: id, ...storeProfileFieldsSchema.pick({ address: true, phone: true, timezone: true }).partial().shape });
/** A store's name and profile (core/fleet/store-profile.ts); what is left out stays as it is. */
const storeChangeBody = storeProfileFieldsSchema.partial().refine((change) => Object.values(change).some((v) => v !== undefined), 'name, address, phone or timezone');
const modeBody = z.object({ mode: z.enum(['attended', 'unattended']) });
/** `?scope=store:S&version=3`: the kiosks of a scope, and which applied, refused or have not reported that version. */
const devicesQuery = z.object({
  scope: z.string().min(1).max(80).optional(),
  version: z.coerce.number().int().positive().optional(),
});
const codeBody = z.object({
  storeId: id,
  mode: z.enum(['attended', 'unattended']).default('unattended'),
  ttlHours: z.number().int().min(1).max(24 * 30).default(24),
  deviceId: z.string().regex(DEVICE_ID_PATTERN).optional(),
});

/** A device as the API shows it: never its secret's hash. */
function deviceView(d: EnrolledDevice) {
  return { deviceId: d.deviceId, storeId: d.storeId, mode: d.mode, enrolledAt: d.enrolledAt, revokedAt: d.revokedAt };
}

export function registerFleetRoutes(app: FastifyInstance, deps: FleetRoutesDeps): void {
  const { identity, fleet } = deps;
  const admin = async (request: Parameters<typeof requireStaff>[1]) => (await requireStaff(identity, request, ['hq_admin'])).staff.staffId;
  const audit = (actorId: string, action: string, target: string, after: unknown) =>
    deps.identityStore.appendAudit({ at: new Date().toISOString(), actorKind: 'staff', actorId, surface: 'hub', action, target, outcome: 'ok', before: null, after, detail: null });

  // Managers read the names of their own stores and regions (the console's pickers and tables name stores, not
  // ids); HQ reads every one. Adding and changing stay HQ's.
  app.get('/api/regions', async (request) => {
    const { staff } = await requireStaff(identity, request, MEMBER_READERS);
    const regions = await fleet.listRegions();
    if (staff.storeIds.includes('*')) return { regions };
    const theirs = new Set((await fleet.listStores()).filter((s) => staff.storeIds.includes(s.storeId)).map((s) => s.regionId));
    return { regions: regions.filter((r) => theirs.has(r.regionId)) };
  });
  app.post('/api/regions', async (request, reply) => {
    const by = await admin(request);
    const body = parseRequest(regionBody, request.body);
    await fleet.addRegion({ regionId: body.id, name: body.name });
    await audit(by, 'fleet.add_region', body.id, body);
    return reply.code(201).send({ regionId: body.id, name: body.name });
  });
  app.get('/api/stores', async (request) => {
    const { staff } = await requireStaff(identity, request, MEMBER_READERS);
    const stores = await fleet.listStores();
    return { stores: staff.storeIds.includes('*') ? stores : stores.filter((s) => staff.storeIds.includes(s.storeId)) };
  });
  app.post('/api/stores', async (request, reply) => {
    const by = await admin(request);
    assertTimeZone(request.body);
    const body = parseRequest(storeBody, request.body);
    await fleet.addStore({ storeId: body.id, name: body.name, regionId: body.regionId, ...profileOf(body) });
    await audit(by, 'fleet.add_store', body.id, body);
    return reply.code(201).send(await fleet.store(body.id));
  });
  // HQ changes a store's name, address, phone or time zone: printed on its receipts, handed to its kiosks when they
  // next ask (device.profile: on connect and every few minutes). Audited with before and after.
  app.patch<{ Params: { storeId: string } }>('/api/stores/:storeId', async (request) => {
    const by = await admin(request);
    const change = parseStoreChange(request.body);
    const changed = await fleet.updateStore(request.params.storeId, change);
    if (!changed) throw new CodedError('FLEET_UNKNOWN_STORE', `no store ${request.params.storeId}`);
    await deps.identityStore.appendAudit({ at: new Date().toISOString(), actorKind: 'staff', actorId: by, surface: 'hub', action: 'fleet.change_store', target: changed.after.storeId, outcome: 'ok', before: changed.before, after: changed.after, detail: null });
    return changed.after;
  });
  // The code is shown once, in this answer: the hub keeps its hash only.
  app.post('/api/enrolment-codes', async (request, reply) => {
    const by = await admin(request);
    const body = parseRequest(codeBody, request.body);
    if (!(await fleet.store(body.storeId))) throw new CodedError('BAD_REQUEST', `no store ${body.storeId}`);
    const created = await createEnrolmentCode(fleet, { storeId: body.storeId, mode: body.mode, ttlMs: body.ttlHours * 3_600_000, deviceId: body.deviceId, caSha256: deps.caSha256() });
    await audit(by, 'fleet.create_enrolment_code', body.storeId, { mode: body.mode, expiresAt: created.expiresAt, deviceId: body.deviceId ?? null });
    return reply.code(201).send(created);
  });
  // Each kiosk as enrolled (never its secret's hash) with what it last reported; the same as `memberkiosk devices`.
  app.get('/api/devices', async (request) => {
    await admin(request);
    const query = parseRequest(devicesQuery, request.query);
    return readDevicesView(fleet, deps.deviceStatus ?? null, query);
  });
  // A kiosk moved between the shop floor and a counter: the fleet and the ledger's copy change together.
  app.put<{ Params: { deviceId: string } }>('/api/devices/:deviceId/mode', async (request) => {
    const by = await admin(request);
    const { mode } = parseRequest(modeBody, request.body);
    const deviceId = request.params.deviceId;
    if (!DEVICE_ID_PATTERN.test(deviceId)) throw new CodedError('DEVICE_ID_INVALID');
    const before = await fleet.device(deviceId);
    const changed = before ? await fleet.setDeviceMode(deviceId, mode) : null;
    // A kiosk the fleet does not hold (one on an external broker's own password file) has only the ledger's copy.
    if (changed) await recordKioskMode(deps.identityStore, changed);
    else await deps.identityStore.setDeviceMode(deviceId, mode);
    await deps.identityStore.appendAudit({ at: new Date().toISOString(), actorKind: 'staff', actorId: by, surface: 'hub', action: 'device.set_mode', target: deviceId, outcome: 'ok', before: { mode: before?.mode ?? null }, after: { mode }, detail: null });
    return changed ? deviceView(changed) : { deviceId, mode };
  });
  app.post<{ Params: { deviceId: string } }>('/api/devices/:deviceId/revoke', async (request) => {
    const by = await admin(request);
    const revoked = await deps.revoke(request.params.deviceId);
    if (!revoked) throw new CodedError('NOT_FOUND', `no device ${request.params.deviceId}`);
    await audit(by, 'fleet.revoke_device', revoked.deviceId, { revokedAt: revoked.revokedAt });
    return deviceView(revoked);
  });
}

/** The profile fields of a new store's body, only those given. */
function profileOf(body: { address?: string | undefined; phone?: string | undefined; timezone?: string | undefined }) {
  return { ...(body.address !== undefined ? { address: body.address } : {}), ...(body.phone !== undefined ? { phone: body.phone } : {}), ...(body.timezone !== undefined ? { timezone: body.timezone } : {}) };
}

/** A store change; a time zone that is not an IANA zone gets its own code (STORE_TIMEZONE_INVALID), the rest BAD_REQUEST. */
function parseStoreChange(body: unknown) {
  assertTimeZone(body);
  const change = parseRequest(storeChangeBody, body);
  return { ...(change.name !== undefined ? { name: change.name } : {}), ...profileOf(change) };
}

function assertTimeZone(body: unknown): void {
  const zone = (body as { timezone?: unknown } | null)?.timezone;
  if (typeof zone === 'string' && !isIanaTimeZone(zone)) throw new CodedError('STORE_TIMEZONE_INVALID', `'${zone.slice(0, 64)}' is not an IANA time zone such as Asia/Shanghai`);
}
