/**
 * The kiosk's systemd units, checked where a test can reach them on a machine whose PID 1 is not systemd:
 * - `systemd-analyze verify` loads each unit with systemd's own parser (it needs no running manager). It only
 *   warns about a misspelt directive or section or a value it cannot parse, and still exits 0: a unit passes
 *   only with exit 0 AND nothing printed, and deliberately broken copies show that each such mistake fails.
 *   Paths are rendered for this machine: /opt/memberkiosk becomes this checkout (so ExecStartPre's script and
 *   the docs exist) and /usr/bin/node this test's node; cage and chromium are the installed ones (.ci/run).
 * - `systemd-analyze security --offline` rates the kiosk unit's hardening;
 * - the properties the issue asks for, read from the unit files themselves;
 * - every Chromium flag of the screen unit exists in the installed Chromium, which ignores unknown ones silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentOf, parseEnvironmentFile, parseUnitFile, valueOf, valuesOf, variablesIn, wordsOf } from './test-support/unit-file.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const KIOSK = 'memberkiosk-kiosk.service';
const SCREEN = 'memberkiosk-screen.service';
// Debian's /usr/bin/chromium is a shell wrapper; the switches are strings in the real binary.
const CHROMIUM_BINARY = '/usr/lib/chromium/chromium';

const source = (name: string): string => readFileSync(join(HERE, name), 'utf8');
const kioskUnit = parseUnitFile(source(KIOSK));
const screenUnit = parseUnitFile(source(SCREEN));

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function renderForThisMachine(text: string): string {
  return text.replaceAll('/opt/memberkiosk', REPO).replaceAll('/usr/bin/node', process.execPath);
}

function systemdAnalyze(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync('systemd-analyze', ['--man=no', ...args], { encoding: 'utf8', timeout: 20_000 });
  if (run.error) throw new Error(`systemd-analyze did not run (${run.error.message}): apt-get install systemd`);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Writes the units (name → text) side by side, as rendered for this machine, and returns their paths. */
function writeUnits(units: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mk-units-'));
  scratch.push(dir);
  return Object.entries(units).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, renderForThisMachine(text));
    return path;
  });
}

/** Passes only when systemd-analyze exits 0 and says nothing: its warnings are how it reports most mistakes. */
function verify(units: Record<string, string>): { ok: boolean; output: string } {
  const run = systemdAnalyze(['--generators=no', 'verify', ...writeUnits(units)]);
  const output = `${run.stdout}${run.stderr}`.trim();
  return { ok: run.code === 0 && output === '', output };
}

describe('systemd-analyze verify, on this machine without systemd as PID 1', () => {
  it('accepts both units, with no warning', () => {
    const result = verify({ [KIOSK]: source(KIOSK), [SCREEN]: source(SCREEN) });
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  // Each is a mistake that systemd would only log at boot and then run the unit without the setting.
  const breakages: [what: string, unit: string, from: string, to: string, says: RegExp][] = [
    ['a misspelt directive', KIOSK, 'Restart=on-failure', 'Restrat=on-failure', /Unknown key 'Restrat' in section \[Service\]/],
    ['a misspelt section', KIOSK, '[Service]', '[Servce]', /Unknown section 'Servce'/],
    ['a value systemd cannot parse', KIOSK, 'ProtectSystem=strict', 'ProtectSystem=stricter', /Failed to parse protect system value/],
    ['an unknown system call group', KIOSK, 'SystemCallFilter=@system-service', 'SystemCallFilter=@sytem-service', /Unknown system call group.*@sytem-service/],
    ['a malformed dependency', KIOSK, 'After=network-online.target', 'After=network-online.targt', /Failed to add dependency on network-online\.targt/],
    ['an ExecStart= binary that does not exist', KIOSK, 'ExecStart=/usr/bin/node ', 'ExecStart=/usr/bin/no-such-node ', /Command \/usr\/bin\/no-such-node is not executable/],
    ['a misspelt signal', SCREEN, 'KillSignal=SIGHUP', 'KillSignal=SIGHUPP', /SIGHUPP/],
    ['a misspelt screen directive', SCREEN, 'TTYVHangup=yes', 'TTYVHangUp=yes', /Unknown key 'TTYVHangUp'/],
  ];
  it.each(breakages)('fails on a copy with %s', (_what, unit, from, to, says) => {
    // Edited at the start of a line: the same words may stand in a comment.
    const text = source(unit);
    expect(text).toContain(`\n${from}`);
    const result = verify({ [unit]: text.replace(`\n${from}`, `\n${to}`) });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(says);
  });
});

describe('the kiosk service', () => {
  const service = (key: string) => valueOf(kioskUnit, 'Service', key);

  it('runs the compiled `memberkiosk device` on the data directory as the memberkiosk user, with the serial and printer groups', () => {
    expect(service('User')).toBe('memberkiosk');
    expect(wordsOf(kioskUnit, 'Service', 'SupplementaryGroups')).toEqual(expect.arrayContaining(['dialout', 'lp']));
    expect(service('WorkingDirectory')).toBe('/opt/memberkiosk');
    expect(service('ExecStart')).toMatch(/^\/usr\/bin\/node \/opt\/memberkiosk\/bin\/memberkiosk-prod\.mjs device --data \/var\/lib\/memberkiosk\/kiosk --host 127\.0\.0\.1 --port \$\{MEMBERKIOSK_PORT\} /);
    expect(valuesOf(kioskUnit, 'Service', 'EnvironmentFile')).toEqual(['-/etc/memberkiosk/kiosk.env']);
    expect(valueOf(kioskUnit, 'Unit', 'ConditionPathExists')).toBe('/var/lib/memberkiosk/kiosk/provisioning.json');
  });

  it('restarts on failure with a pause and a start limit, but not after a bad option (exit 2) or without a current build (exit 3)', () => {
    expect(service('Restart')).toBe('on-failure');
    expect(Number(service('RestartSec'))).toBeGreaterThanOrEqual(1);
    expect(Number(valueOf(kioskUnit, 'Unit', 'StartLimitBurst'))).toBeGreaterThan(1);
    expect(Number(valueOf(kioskUnit, 'Unit', 'StartLimitIntervalSec'))).toBeGreaterThan(Number(service('RestartSec')) * Number(valueOf(kioskUnit, 'Unit', 'StartLimitBurst')));
    expect(wordsOf(kioskUnit, 'Service', 'RestartPreventExitStatus')).toEqual(['2', '3']);
  });

  it('starts after the network and pcscd, and stops gracefully with SIGTERM', () => {
    for (const key of ['After', 'Wants']) expect(wordsOf(kioskUnit, 'Unit', key)).toEqual(expect.arrayContaining(['network-online.target', 'pcscd.socket']));
    expect(service('KillSignal')).toBe('SIGTERM');
    expect(Number(service('TimeoutStopSec'))).toBeGreaterThanOrEqual(10);
    expect(service('StandardOutput')).toBe('journal');
  });

  it('claims no watchdog and no readiness notification, since nothing in the kiosk calls sd_notify', () => {
    const sources = ['bin', 'device', 'drivers', 'core', 'scripts'].flatMap((dir) =>
      (readdirSync(join(REPO, dir), { recursive: true }) as string[])
        .filter((file) => /\.(ts|mjs|js)$/.test(file) && !file.includes('node_modules') && !file.endsWith('.test.ts'))
        .map((file) => readFileSync(join(REPO, dir, file), 'utf8')));
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter((text) => /NOTIFY_SOCKET|sd_notify|sd-notify/.test(text))).toEqual([]);
    expect(service('Type')).not.toBe('notify');
    expect(service('WatchdogSec')).toBeUndefined();
  });

  it('is hardened without cutting off serial ports, USB printers or pcscd', () => {
    expect(service('NoNewPrivileges')).toBe('yes');
    expect(service('ProtectSystem')).toBe('strict');
    expect(service('PrivateTmp')).toBe('yes');
    expect(service('ProtectHome')).toBe('yes');
    // strict makes everything read-only: the data directory must be the exception.
    expect(service('StateDirectory')).toBe('memberkiosk/kiosk');
    expect(wordsOf(kioskUnit, 'Service', 'ReadWritePaths')).toContain('/var/lib/memberkiosk/kiosk');
    // Each of these would hide /dev/ttyUSB* or /dev/usb/lp* (a device allow list) or map dialout/lp to nobody.
    for (const key of ['PrivateDevices', 'DevicePolicy', 'DeviceAllow', 'ProtectClock', 'PrivateUsers']) expect(service(key), key).toBeUndefined();
    expect(wordsOf(kioskUnit, 'Service', 'RestrictAddressFamilies')).toEqual(expect.arrayContaining(['AF_UNIX', 'AF_INET', 'AF_INET6']));
    // V8 compiles to writable+executable memory.
    expect(service('MemoryDenyWriteExecute')).toBeUndefined();
  });

  it('rates below 2.5 ("OK") in systemd-analyze security, and a copy without its hardening does not', () => {
    const [hardened] = writeUnits({ [KIOSK]: source(KIOSK) });
    const rating = systemdAnalyze(['security', '--offline=yes', '--threshold=25', hardened!]);
    expect(rating.code, rating.stdout.split('\n').slice(-3).join('\n')).toBe(0);
    const bare = source(KIOSK).split('\n').filter((line) => !/^(NoNewPrivileges|Protect|Private|Restrict|RemoveIPC|LockPersonality|CapabilityBoundingSet|AmbientCapabilities|SystemCall|UMask)/.test(line)).join('\n');
    const [unhardened] = writeUnits({ [KIOSK]: bare });
    expect(systemdAnalyze(['security', '--offline=yes', '--threshold=25', unhardened!]).code).not.toBe(0);
  });
});

describe('the screen service', () => {
  const service = (key: string) => valueOf(screenUnit, 'Service', key);
  const execStart = service('ExecStart') ?? '';
  const chromiumArgs = execStart.slice(execStart.indexOf('/usr/bin/chromium ') + '/usr/bin/chromium '.length).split(/\s+/);
  const chromiumFlags = chromiumArgs.filter((arg) => arg.startsWith('--'));

  it('runs Chromium in kiosk mode inside cage, on tty1 with a logind session, as its own user, and always restarts', () => {
    expect(execStart).toMatch(/^\/usr\/bin\/cage -d \$MEMBERKIOSK_CAGE_ARGS -- \/usr\/bin\/chromium /);
    // cage allows VT switching (a way out to a console) only with -s.
    expect(execStart.slice(0, execStart.indexOf(' -- '))).not.toMatch(/ -s\b/);
    expect(service('User')).toBe('memberkiosk-screen');
    expect(service('User')).not.toBe(valueOf(kioskUnit, 'Service', 'User'));
    expect(service('PAMName')).toBe('memberkiosk-screen');
    expect(service('TTYPath')).toBe('/dev/tty1');
    expect(wordsOf(screenUnit, 'Unit', 'Conflicts')).toContain('getty@tty1.service');
    expect(service('Restart')).toBe('always');
    expect(valueOf(screenUnit, 'Unit', 'StartLimitIntervalSec')).toBe('0');
    expect(service('KillSignal')).toBe('SIGHUP');
    expect(valueOf(screenUnit, 'Install', 'WantedBy')).toBe('graphical.target');
  });

  it('opens the page the kiosk serves, only after ExecStartPre has seen it answer', () => {
    const url = chromiumArgs.at(-1);
    expect(url).toBe('http://127.0.0.1:${MEMBERKIOSK_PORT}/');
    expect(service('ExecStartPre')).toBe(`/opt/memberkiosk/device/install/wait-for-kiosk-screen.sh ${url} 120`);
    expect(Number(service('TimeoutStartSec'))).toBeGreaterThan(120);
    expect(wordsOf(screenUnit, 'Unit', 'After')).toContain('memberkiosk-kiosk.service');
  });

  it('passes the kiosk flags: no browser chrome, dialogs, translation, swipe-back, pinch zoom or update nag', () => {
    expect(chromiumFlags).toEqual(expect.arrayContaining([
      '--kiosk', '--noerrdialogs', '--disable-infobars', '--no-first-run', '--hide-crash-restore-bubble', '--disable-features=Translate',
      '--overscroll-history-navigation=0', '--check-for-update-interval=31536000', '--disable-pinch', '--ozone-platform=wayland',
      '--user-data-dir=%t/memberkiosk-screen/profile',
    ]));
    // The profile lives in the unit's RuntimeDirectory: fresh on every start.
    expect(service('RuntimeDirectory')).toBe('memberkiosk-screen');
  });

  it('never blanks the screen: cage has no idle blanking, and no idle daemon or DPMS command is started', () => {
    const commands = [...valuesOf(screenUnit, 'Service', 'ExecStartPre'), execStart, ...valuesOf(screenUnit, 'Service', 'ExecStartPost')].join(' ');
    expect(commands).not.toMatch(/swayidle|xset|dpms|xscreensaver|wlopm/i);
    expect(commands).toMatch(/^\S*wait-for-kiosk-screen\.sh .* \/usr\/bin\/cage /);
  });

  it('uses only switches the installed Chromium knows (it ignores unknown ones without a word)', () => {
    if (!existsSync(CHROMIUM_BINARY)) throw new Error(`${CHROMIUM_BINARY} missing: apt-get install chromium (.ci/run does)`);
    const binary = readFileSync(CHROMIUM_BINARY);
    // Switch and feature names are NUL-terminated strings in the binary.
    const known = (name: string) => binary.indexOf(Buffer.from(`\0${name}\0`, 'latin1')) >= 0;
    const switches = chromiumFlags.map((flag) => flag.slice(2).split('=')[0]!);
    expect(switches.length).toBeGreaterThanOrEqual(12);
    expect(switches.filter((name) => !known(name))).toEqual([]);
    const features = chromiumFlags.filter((flag) => flag.startsWith('--disable-features=')).flatMap((flag) => flag.split('=')[1]!.split(','));
    expect(features.filter((name) => !known(name))).toEqual([]);
    // The check can fail: this switch, often quoted for kiosks, is gone from Chromium (hence
    // --hide-crash-restore-bubble above).
    expect(known('disable-session-crashed-bubble')).toBe(false);
  });
});

describe('kiosk.env', () => {
  const example = parseEnvironmentFile(source('kiosk.env.example'));

  it('sets exactly the variables the units read, and each unit has a default for every one it reads', () => {
    const read = new Set<string>();
    for (const unit of [kioskUnit, screenUnit]) {
      const commands = ['ExecStart', 'ExecStartPre'].flatMap((key) => valuesOf(unit, 'Service', key));
      const defaults = environmentOf(unit, { t: '/run' });
      for (const name of commands.flatMap(variablesIn)) {
        expect(defaults, `${name} has no Environment= default`).toHaveProperty(name);
        read.add(name);
      }
      expect(valuesOf(unit, 'Service', 'EnvironmentFile')).toEqual(['-/etc/memberkiosk/kiosk.env']);
    }
    expect(Object.keys(example).sort()).toEqual([...read].sort());
    expect(example.MEMBERKIOSK_PORT).toBe(environmentOf(kioskUnit).MEMBERKIOSK_PORT);
  });
});
