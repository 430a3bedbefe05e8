/**
 * install-kiosk.sh run for real, twice, into a file tree (--root: what an image build does) seeded with this
 * machine's user database and the systemd targets it enables against: users are made by useradd, enablement
 * links by systemctl --root. A second run must leave the same tree and keep the operator's kiosk.env.
 * useradd --root chroots, so this test needs root, as CI and the development machines have.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const INSTALLER = join(HERE, 'install-kiosk.sh');

function install(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(INSTALLER, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A file tree with this machine's users and groups and the unit files the installer enables against. */
function seededRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'mk-install-root-'));
  mkdirSync(join(root, 'etc/chrony'), { recursive: true });
  for (const file of ['passwd', 'group', 'shadow', 'gshadow', 'login.defs']) copyFileSync(`/etc/${file}`, join(root, 'etc', file));
  mkdirSync(join(root, 'lib/systemd/system'), { recursive: true });
  for (const unit of ['multi-user.target', 'graphical.target', 'systemd-timesyncd.service']) copyFileSync(`/lib/systemd/system/${unit}`, join(root, 'lib/systemd/system', unit));
  return root;
}

/** Every file and link of the tree: path → mode, owner and content hash, or link target. */
function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name);
      const stat = lstatSync(join(root, path));
      if (stat.isSymbolicLink()) entries[path] = `-> ${readlinkSync(join(root, path))}`;
      else if (stat.isDirectory()) {
        entries[`${path}/`] = `${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid}`;
        walk(path);
      } else if (!name.endsWith('.lock') && !name.endsWith('-')) {
        // useradd leaves passwd- and friends (backups of the previous version) and lock files.
        entries[path] = `${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid} ${createHash('sha256').update(readFileSync(join(root, path))).digest('hex').slice(0, 16)}`;
      }
    }
  };
  walk('.');
  return entries;
}

const userLines = (root: string, name: string) => readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n').filter((line) => line.startsWith(`${name}:`));

describe('install-kiosk.sh', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it('installs users, units, PAM stack, kiosk.env, data directory, NTP and enablement, and a second run changes nothing', () => {
    if (process.getuid?.() !== 0) throw new Error('install-kiosk.sh creates users with useradd --root, which needs root: run this test as root');
    const root = seededRoot();
    roots.push(root);
    const args = ['--root', root, '--prefix', '/srv/memberkiosk', '--ntp', 'ntp1.chain.example', '--ntp', 'ntp2.chain.example', '--touch-only'];

    const first = install(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('created user memberkiosk');

    const [kioskUser] = userLines(root, 'memberkiosk');
    expect(kioskUser).toMatch(/^memberkiosk:x:\d+:\d+:[^:]*:\/var\/lib\/memberkiosk:\/usr\/sbin\/nologin$/);
    expect(userLines(root, 'memberkiosk-screen')).toHaveLength(1);
    const [, , uid, gid] = kioskUser!.split(':');

    // The units as in the repository, on the prefix given.
    for (const unit of ['memberkiosk-kiosk.service', 'memberkiosk-screen.service']) {
      const installed = readFileSync(join(root, 'etc/systemd/system', unit), 'utf8');
      expect(installed).toBe(readFileSync(join(HERE, unit), 'utf8').replaceAll('/opt/memberkiosk', '/srv/memberkiosk'));
    }
    expect(readFileSync(join(root, 'etc/pam.d/memberkiosk-screen'), 'utf8')).toContain('pam_systemd.so');
    expect(readFileSync(join(root, 'etc/memberkiosk/kiosk.env'), 'utf8')).toBe(readFileSync(join(HERE, 'kiosk.env.example'), 'utf8'));
    expect(readFileSync(join(root, 'etc/udev/rules.d/90-memberkiosk-touch-only.rules'), 'utf8')).toContain('LIBINPUT_IGNORE_DEVICE');
    expect(readFileSync(join(root, 'etc/systemd/timesyncd.conf.d/memberkiosk.conf'), 'utf8')).toContain('\n[Time]\nNTP=ntp1.chain.example ntp2.chain.example\n');
    expect(readFileSync(join(root, 'etc/chrony/sources.d/memberkiosk.sources'), 'utf8')).toBe('server ntp1.chain.example iburst\nserver ntp2.chain.example iburst\n');

    // The data directory: the kiosk user's alone (device key, MQTT secret), there before `provision` runs.
    const data = lstatSync(join(root, 'var/lib/memberkiosk/kiosk'));
    expect((data.mode & 0o777).toString(8)).toBe('700');
    expect(`${data.uid}:${data.gid}`).toBe(`${uid}:${gid}`);

    // Enabled: what systemctl enable and set-default leave.
    expect(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/memberkiosk-kiosk.service'))).toBe('/etc/systemd/system/memberkiosk-kiosk.service');
    expect(readlinkSync(join(root, 'etc/systemd/system/graphical.target.wants/memberkiosk-screen.service'))).toBe('/etc/systemd/system/memberkiosk-screen.service');
    expect(readlinkSync(join(root, 'etc/systemd/system/default.target'))).toBe('/lib/systemd/system/graphical.target');
    expect(readlinkSync(join(root, 'etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service'))).toBe('/lib/systemd/system/systemd-timesyncd.service');

    // The operator sets the hardware; a second run (an update) keeps it and changes nothing else.
    appendFileSync(join(root, 'etc/memberkiosk/kiosk.env'), 'MEMBERKIOSK_DEVICE_ARGS="--reader pcsc"\n');
    const before = snapshot(root);
    const second = install(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('user memberkiosk exists');
    expect(second.stdout).toContain('kept /etc/memberkiosk/kiosk.env');
    expect(snapshot(root)).toEqual(before);
    expect(userLines(root, 'memberkiosk')).toEqual([kioskUser]);
  });

  it('refuses an unknown option, a relative prefix and a root without a user database (exit 2)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mk-install-empty-'));
    roots.push(empty);
    expect(install(['--frobnicate']).code).toBe(2);
    expect(install(['--prefix', 'opt/memberkiosk', '--root', empty]).code).toBe(2);
    const noPasswd = install(['--root', empty]);
    expect(noPasswd.code).toBe(2);
    expect(noPasswd.stderr).toContain('has no etc/passwd');
  });
});
