import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { createSettingsStore, ownReceiptText, type DeviceSettings } from './settings-store.ts';

const initial: DeviceSettings = {
  deviceId: 'kiosk-1',
  storeId: 'store-1',
  hubUrl: 'mqtt://127.0.0.1:1883',
  httpPort: 8080,
  receiptHeader: ['STORE ONE'],
  receiptFooter: ['Thanks'],
  bundleVersion: 0,
};

describe('settings store', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;
  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.dir, 'nested', 'settings.json');
  });
  afterEach(() => temp.cleanup());

  it('creates the file from the initial settings and keeps updates across reloads', async () => {
    const store = createSettingsStore(path);
    expect(await store.load(initial)).toEqual(initial);
    await store.update({ bundleVersion: 4, receiptFooter: ['See you'] });
    const reloaded = createSettingsStore(path);
    expect(await reloaded.load(initial)).toMatchObject({ bundleVersion: 4, receiptFooter: ['See you'] });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ bundleVersion: 4 });
  });

  it('lets overrides win over the file and saves them', async () => {
    await createSettingsStore(path).load(initial);
    const store = createSettingsStore(path);
    expect(await store.load(initial, { hubUrl: 'mqtt://hub:1883', httpPort: undefined })).toMatchObject({ hubUrl: 'mqtt://hub:1883', httpPort: 8080 });
    expect(JSON.parse(readFileSync(path, 'utf8')).hubUrl).toBe('mqtt://hub:1883');
  });

  it('refuses an invalid file or update with a message naming the field', async () => {
    writeFileSync(path.replace('nested/', ''), JSON.stringify({ ...initial, bundleVersion: -1 }));
    await expect(createSettingsStore(path.replace('nested/', '')).load(initial)).rejects.toThrow(/bundleVersion/);
    const store = createSettingsStore(path);
    await store.load(initial);
    await expect(store.update({ hubUrl: 'http://nope' })).rejects.toThrow(/hubUrl/);
    expect(store.get().hubUrl).toBe(initial.hubUrl);
  });

  it('keeps the store profile the hub gave, and refuses one with a time zone that is not one', async () => {
    const store = createSettingsStore(path);
    await store.load(initial);
    const profile = { storeId: 'store-1', name: '静安店', address: '南京西路1号', phone: '021-6288 0000', timezone: 'Asia/Shanghai' };
    await store.update({ storeProfile: profile });
    expect(await createSettingsStore(path).load(initial)).toMatchObject({ storeProfile: profile });
    await expect(store.update({ storeProfile: { ...profile, timezone: 'CST' } })).rejects.toThrow(/storeProfile.timezone/);
  });

  it('prints none of the English placeholders older kiosks wrote as their receipt texts, and a chain’s own texts as written', () => {
    expect(ownReceiptText({ receiptHeader: ['memberkiosk'], receiptFooter: ['Thank you!'] })).toEqual({ header: [], footer: [] });
    expect(ownReceiptText({ receiptHeader: ['星河便利'], receiptFooter: ['谢谢', 'Thank you!'] })).toEqual({ header: ['星河便利'], footer: ['谢谢', 'Thank you!'] });
  });
});
