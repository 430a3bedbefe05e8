import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { memberkiosk } from './test-support/run-memberkiosk.ts';

describe('memberkiosk keys, regions, stores, enrol and devices (real processes)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir('mk-fleet-cli-');
  });
  afterEach(() => temp.cleanup());

  it('makes HQ’s root key (private 0600, never overwritten) and installs only the public half on a hub', () => {
    const hq = join(temp.dir, 'hq');
    const hub = join(temp.dir, 'hub');
    expect(memberkiosk('keys', 'init', '--out', hq)).toMatchObject({ code: 0 });
    expect(statSync(join(hq, 'hq-root.key')).mode & 0o777).toBe(0o600);
    const again = memberkiosk('keys', 'init', '--out', hq);
    expect(again).toMatchObject({ code: 1 });
    expect(again.stderr).toContain('HQ_KEY_EXISTS');
    const refused = memberkiosk('keys', 'install-public', join(hq, 'hq-root.key'), '--data', hub);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HQ_KEY_INVALID');
    expect(memberkiosk('keys', 'install-public', join(hq, 'hq-root.pub'), '--data', hub)).toMatchObject({ code: 0 });
    expect(readFileSync(join(hub, 'hq-root.pub'), 'utf8')).toBe(readFileSync(join(hq, 'hq-root.pub'), 'utf8'));
  });

  it('adds regions and stores, creates a code that names the hub’s CA, and lists and revokes devices', () => {
    const hub = join(temp.dir, 'hub');
    expect(memberkiosk('regions', 'add', '--id', 'kanto', '--name', 'Kanto', '--data', hub)).toMatchObject({ code: 0 });
    expect(memberkiosk('stores', 'add', '--id', 'store-9', '--name', 'Shinjuku', '--region', 'kanto', '--data', hub)).toMatchObject({ code: 0 });
    const orphan = memberkiosk('stores', 'add', '--id', 'store-x', '--name', 'X', '--region', 'nowhere', '--data', hub);
    expect(orphan.code).toBe(1);
    expect(orphan.stderr).toContain('FLEET_UNKNOWN_REGION');
    expect(memberkiosk('stores', 'list', '--data', hub).stdout).toBe('store-9\tkanto\tShinjuku\n');
    // Its profile: printed on its receipts, its kiosks' time zone; a zone that is not one is refused.
    expect(memberkiosk('stores', 'set', '--id', 'store-9', '--address', '新宿区1-1', '--timezone', 'Asia/Tokyo', '--data', hub)).toMatchObject({ code: 0, stdout: 'store store-9: Shinjuku · 新宿区1-1 · - · Asia/Tokyo\n' });
    expect(memberkiosk('stores', 'set', '--id', 'store-9', '--timezone', 'JST', '--data', hub).code).toBe(2);
    expect(memberkiosk('stores', 'set', '--id', 'store-404', '--phone', '123', '--data', hub).stderr).toContain('FLEET_UNKNOWN_STORE');
    expect(memberkiosk('regions', 'list', '--data', hub).stdout).toBe('kanto\tKanto\n');

    const created = memberkiosk('enrol', 'create', '--store', 'store-9', '--mode', 'unattended', '--ttl', '30m', '--data', hub);
    expect(created.code).toBe(0);
    const ca = spawnSync('openssl', ['x509', '-in', join(hub, 'tls', 'ca.crt'), '-outform', 'DER'], { encoding: 'buffer' }).stdout;
    expect(created.stdout.trim()).toMatch(new RegExp(`^MK1-[0-9A-Z]{26}-${createHash('sha256').update(ca).digest('hex')}$`));
    expect(memberkiosk('enrol', 'create', '--store', 'store-404', '--data', hub).stderr).toContain('FLEET_UNKNOWN_STORE');
    expect(memberkiosk('enrol', 'create', '--store', 'store-9', '--mode', 'robot', '--data', hub).code).toBe(2);
    expect(memberkiosk('enrol', 'create', '--store', 'store-9', '--ttl', 'soon', '--data', hub).code).toBe(2);
    expect(memberkiosk('devices', 'list', '--data', hub)).toMatchObject({ code: 0, stdout: '' });
    const unknown = memberkiosk('devices', 'revoke', 'kiosk-404', '--data', hub);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('FLEET_UNKNOWN_DEVICE');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });
});
