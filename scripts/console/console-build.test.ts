/** Build-if-stale: when the console is built, and the role → pages table the app's menu and router share. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { menuFor, mayOpen } from '../../console/src/menu.ts';
import { consoleStaleReason } from './ensure-console-built.ts';

describe('consoleStaleReason', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const layout = () => {
    const root = mkdtempSync(join(tmpdir(), 'mk-console-src-'));
    dirs.push(root);
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'main.ts'), '');
    return { root, dist: join(root, 'dist'), source: join(root, 'src', 'main.ts') };
  };
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  it('builds when dist is missing, or older than a source; not when it is newer than all of them', () => {
    const { root, dist, source } = layout();
    const lock = join(root, 'lock.json');
    writeFileSync(lock, '{}');
    expect(consoleStaleReason(dist, root, [lock])).toBe('not built yet');
    mkdirSync(dist);
    writeFileSync(join(dist, 'index.html'), '');
    at(source, 1_000);
    at(lock, 1_000);
    at(join(dist, 'index.html'), 2_000);
    expect(consoleStaleReason(dist, root, [lock])).toBeNull();
    at(source, 3_000);
    expect(consoleStaleReason(dist, root, [lock])).toBe('its sources changed');
    at(source, 1_000);
    at(lock, 3_000);
    expect(consoleStaleReason(dist, root, [lock])).toBe('its sources changed');
  });

  it('ignores files under dist itself', () => {
    const { root, dist, source } = layout();
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '');
    writeFileSync(join(dist, 'assets', 'x.js'), '');
    at(source, 1_000);
    at(join(dist, 'index.html'), 2_000);
    at(join(dist, 'assets', 'x.js'), 5_000);
    expect(consoleStaleReason(dist, root, [])).toBeNull();
  });
});

describe('console pages by role', () => {
  it('shows members to managers and HQ, the audit log to HQ only, nothing to kiosk roles', () => {
    expect(menuFor('hq_admin').map((i) => i.key)).toEqual(['members', 'staff', 'stores', 'kiosks', 'gifts', 'card-types', 'code-batches', 'draws', 'commission', 'rules', 'reports', 'messages', 'audit-log', 'settings', 'account', 'receipts']);
    expect(menuFor('region_manager').map((i) => i.key)).toEqual(['members', 'staff', 'gifts', 'card-types', 'draws', 'rules', 'reports', 'messages', 'account', 'receipts']);
    expect(menuFor('store_manager').map((i) => i.key)).toEqual(['members', 'staff', 'gifts', 'card-types', 'draws', 'reports', 'account', 'receipts']);
    // Kiosk roles: their own account (password, sessions), and checking a receipt a customer brings back.
    expect(menuFor('cashier').map((i) => i.key)).toEqual(['account', 'receipts']);
    expect(menuFor('technician').map((i) => i.key)).toEqual(['account', 'receipts']);
    expect(mayOpen('store_manager', 'kiosks')).toBe(false);
    expect(mayOpen('region_manager', 'stores')).toBe(false);
    expect(mayOpen('store_manager', 'audit-log')).toBe(false);
    expect(mayOpen('region_manager', 'settings')).toBe(false);
  });
});
