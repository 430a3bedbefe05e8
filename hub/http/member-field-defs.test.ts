/**
 * HQ's custom member field definitions (label zh/en, type, required, options, order, retirement) over the hub API
 * with Fastify inject, on the real SQLite ledger: values are checked against the definitions when a profile is
 * written, and a retired field's value is kept (and cannot be changed) although the console no longer sends it.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { staffAuthorization } from '../testing/staff-actor.ts';
import { buildApp } from './build-app.ts';

describe('custom member field definitions (real SQLite, real logins)', () => {
  let ledger: Ledger;
  let app: ReturnType<typeof buildApp>;
  let admin: { authorization: string };
  let manager: { authorization: string };

  beforeAll(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883', memberConsole: ledger.memberConsole, memberProfiles: { store: ledger, profiles: ledger.memberProfiles } });
    admin = await staffAuthorization(identity, 'hq_admin', ['*']);
    manager = await staffAuthorization(identity, 'store_manager', [DEMO_STORE_ID]);
  });
  afterAll(async () => {
    expect(await ledger.audit()).toEqual([]);
    await app.close();
    await ledger.close();
  });

  const put = (url: string, headers: { authorization: string }, payload: Record<string, unknown>) => app.inject({ method: 'PUT', url, headers, payload });

  it('defines typed fields in order, checks values, keeps a retired field\'s value', async () => {
    const fields = [
      { key: 'car_plate', label: '车牌号', labelEn: 'Car plate', required: true },
      { key: 'size', label: '尺码', labelEn: 'Size', type: 'select', options: ['S', 'M', 'L'] },
      { key: 'children', label: '子女数', type: 'number' },
    ];
    expect((await put('/api/member-fields', manager, { fields })).statusCode).toBe(403);
    expect((await put('/api/member-fields', admin, { fields: [{ key: 'size', label: '尺码', type: 'select' }] })).statusCode).toBe(400);
    expect((await put('/api/member-fields', admin, { fields })).statusCode).toBe(200);
    const read = (await app.inject({ method: 'GET', url: '/api/member-fields', headers: manager })).json<{ fields: unknown[] }>().fields;
    expect(read).toEqual([
      { key: 'car_plate', label: '车牌号', labelEn: 'Car plate', type: 'text', required: true, options: [], retired: false, position: 0 },
      { key: 'size', label: '尺码', labelEn: 'Size', type: 'select', required: false, options: ['S', 'M', 'L'], retired: false, position: 1 },
      { key: 'children', label: '子女数', labelEn: null, type: 'number', required: false, options: [], retired: false, position: 2 },
    ]);
    const profile = (customFields: Record<string, string>) => put('/api/members/M0001/profile', manager, { customFields });
    expect((await profile({ size: 'M' })).json().error.message).toContain('car_plate is required');
    expect((await profile({ car_plate: '沪A1', size: 'XL' })).statusCode).toBe(400);
    expect((await profile({ car_plate: '沪A1', children: 'two' })).statusCode).toBe(400);
    expect((await profile({ car_plate: '沪A12345', size: 'M', children: '2' })).json().profile.customFields).toEqual({ car_plate: '沪A12345', size: 'M', children: '2' });

    // Retire "size" and move "children" first: the value stays, the console stops sending it, it cannot be changed.
    const retired = [fields[2], fields[0], { ...fields[1], retired: true }];
    expect((await put('/api/member-fields', admin, { fields: retired })).statusCode).toBe(200);
    expect((await ledger.identity.auditEntries({ limit: 1, action: 'member.fields' }))[0]!.after).toEqual([
      expect.objectContaining({ key: 'children', position: 0 }), expect.objectContaining({ key: 'car_plate', position: 1 }), expect.objectContaining({ key: 'size', retired: true, position: 2 }),
    ]);
    expect((await profile({ car_plate: '沪B2', children: '3' })).json().profile.customFields).toEqual({ car_plate: '沪B2', children: '3', size: 'M' });
    expect((await profile({ car_plate: '沪B2', children: '3', size: 'L' })).statusCode).toBe(400);
  });
});
