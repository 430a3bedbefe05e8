/**
 * `memberkiosk backup` and `memberkiosk restore` as an operator meets them (real processes, real SQLite): where
 * they write, what they refuse and with which exit code, and that a damaged backup or a ledger whose journal does
 * not add up is never passed as restored. The backup of a hub under load is scripts/backup/backup-under-load.test.ts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readManifest } from '../backup/backup-manifest.ts';
import { memberkiosk, memberkioskAsync } from './test-support/run-memberkiosk.ts';
import { seededHubDataDir, type SeededHubDataDir } from './test-support/seeded-hub-data-dir.ts';

// Each test starts a few CLI processes (about a second each, more on a busy machine): more time than the default.
describe('memberkiosk backup and restore (real processes)', { timeout: 90_000 }, () => {
  let data: SeededHubDataDir;
  beforeEach(async () => {
    data = await seededHubDataDir('mk-backup-cli-');
    mkdirSync(join(data.hub, 'tls'));
    writeFileSync(join(data.hub, 'tls', 'ca.key'), 'not really a key', { mode: 0o600 });
  });
  afterEach(() => data.cleanup());

  const backupTo = (out: string) => memberkiosk('backup', '--data', data.hub, '--out', out);

  it('makes a new timestamped folder inside an existing folder, and uses a new path as the folder itself', () => {
    const folder = join(data.root, 'backups');
    mkdirSync(folder);
    const inside = backupTo(folder);
    expect({ code: inside.code, stderr: inside.stderr }).toEqual({ code: 0, stderr: '' });
    const [made, ...others] = readdirSync(folder);
    expect(others).toEqual([]);
    expect(made).toMatch(/^memberkiosk-backup-\d{8}T\d{6}Z$/);
    expect(readManifest(join(folder, made!)).files.map((f) => f.path)).toEqual(['ledger.sqlite', 'tls/ca.key']);

    const direct = backupTo(join(data.root, 'nightly'));
    expect(direct.code).toBe(0);
    expect(readManifest(join(data.root, 'nightly')).ledger.transactions).toBeGreaterThan(0);
  });

  it('refuses bad paths and missing flags with exit 2 and one line, writing nothing, and answers --help', async () => {
    const file = join(data.root, 'a-file');
    writeFileSync(file, 'x');
    const asked = [
      { args: ['backup', '--data', data.hub], says: '--out is required' },
      { args: ['backup', '--data', join(data.root, 'no-hub-here'), '--out', join(data.root, 'b1')], says: 'BACKUP_SOURCE_MISSING' },
      { args: ['backup', '--data', data.hub, '--out', join(data.hub, 'inside')], says: 'is inside the data directory' },
      { args: ['backup', '--data', data.hub, '--out', file], says: 'is a file, not a folder' },
      { args: ['backup', '--data', data.hub, '--out', join(data.root, 'missing', 'b2')], says: 'does not exist' },
      { args: ['restore', '--data', join(data.root, 'r1')], says: '--from is required' },
      { args: ['restore', '--from', join(data.root, 'b1')], says: '--data is required' },
    ];
    // At once: refusals write nothing, so they cannot disturb each other.
    const refusals = await Promise.all(asked.map(async ({ args, says }) => ({ run: await memberkioskAsync(...args), says })));
    for (const { run, says } of refusals) {
      expect(run.code, says).toBe(2);
      expect(run.stderr.split('\n')[0], says).toContain(says);
      expect(run.stderr, says).not.toMatch(/\n\s+at /);
    }
    for (const command of ['backup', 'restore']) {
      const help = await memberkioskAsync(command, '--help');
      expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^usage: memberkiosk ${command} `));
    }
    expect(readdirSync(data.root).sort()).toEqual(['a-file', 'hub']);
    expect(existsSync(join(data.hub, 'inside'))).toBe(false);
  });

  it('restores into a new folder and prints the audit; refuses a non-empty one without --force and moves it aside with it', async () => {
    const backup = join(data.root, 'b');
    expect(backupTo(backup).code).toBe(0);

    const fresh = memberkiosk('restore', '--from', backup, '--data', join(data.root, 'fresh'));
    expect({ code: fresh.code, stderr: fresh.stderr }).toEqual({ code: 0, stderr: '' });
    expect(fresh.stdout).toMatch(/journal audit: \d+ transactions; every balance matches the journal/);

    const occupied = join(data.root, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'something.txt'), 'keep me');
    const refused = memberkiosk('restore', '--from', backup, '--data', occupied);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('RESTORE_TARGET_NOT_EMPTY');
    expect(readdirSync(occupied)).toEqual(['something.txt']);

    const forced = memberkiosk('restore', '--from', backup, '--data', occupied, '--force');
    expect({ code: forced.code, stderr: forced.stderr }).toEqual({ code: 0, stderr: '' });
    const aside = readdirSync(data.root).find((name) => name.startsWith('occupied.before-restore-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(data.root, aside!, 'something.txt'), 'utf8')).toBe('keep me');
    expect(readdirSync(occupied).sort()).toEqual(['ledger.sqlite', 'tls']);
  });

  it('refuses --force while a process has the target ledger open, and moves nothing', () => {
    const backup = join(data.root, 'b');
    expect(backupTo(backup).code).toBe(0);
    const held = new Database(join(data.hub, 'ledger.sqlite'));
    held.pragma('journal_mode = WAL');
    try {
      const refused = memberkiosk('restore', '--from', backup, '--data', data.hub, '--force');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('RESTORE_TARGET_IN_USE');
    } finally {
      held.close();
    }
    expect(readdirSync(data.root).filter((name) => name.includes('before-restore'))).toEqual([]);
    expect(readdirSync(data.hub)).toContain('ledger.sqlite');
  });

  it('refuses a damaged backup with exit 1 before touching the target', () => {
    const backup = join(data.root, 'b');
    expect(backupTo(backup).code).toBe(0);
    const target = join(data.root, 'target');

    const notABackup = memberkiosk('restore', '--from', data.hub, '--data', target);
    expect(notABackup.code).toBe(1);
    expect(notABackup.stderr).toContain('BACKUP_MANIFEST_INVALID');

    const key = join(backup, 'tls', 'ca.key');
    writeFileSync(key, 'not really a kez', { mode: 0o600 });
    const damaged = memberkiosk('restore', '--from', backup, '--data', target);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('tls/ca.key does not match its SHA-256 in the backup (BACKUP_FILE_MISMATCH)');
    expect(existsSync(target)).toBe(false);

    // A manifest naming a path outside the target is refused whole, not followed.
    const manifestPath = join(backup, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { path: string }[] };
    manifest.files[1]!.path = '../escaped';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const escaping = memberkiosk('restore', '--from', backup, '--data', target);
    expect(escaping.code).toBe(1);
    expect(escaping.stderr).toContain('BACKUP_MANIFEST_INVALID');
    expect(existsSync(join(data.root, 'escaped'))).toBe(false);
  });

  it('exits 1 and prints the differences when the restored ledger does not add up', () => {
    // A ledger whose stored balance no longer matches its journal, backed up as it is.
    const db = new Database(join(data.hub, 'ledger.sqlite'));
    db.prepare("UPDATE accounts SET balance = balance + 1 WHERE member_id = 'M0001' AND account = 'stored_value'").run();
    db.close();
    const backup = join(data.root, 'b');
    expect(backupTo(backup).code).toBe(0);
    const restored = memberkiosk('restore', '--from', backup, '--data', join(data.root, 'r'));
    expect(restored.code).toBe(1);
    expect(restored.stdout).toContain('1 differences');
    expect(restored.stdout).toContain('"memberId":"M0001","account":"stored_value"');
  });
});
