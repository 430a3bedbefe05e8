/**
 * `memberkiosk keys init --out DIR` · `memberkiosk keys install-public FILE [--data DIR]` ·
 * `memberkiosk keys sign-key --root-key PATH [--days N] [--data DIR]`
 * HQ's offline Ed25519 root key: `init` runs on an HQ machine and writes hq-root.key (0600, keep it off the hub,
 * offline) and hq-root.pub; `install-public` copies the public half into a hub's data directory, from where the
 * hub hands it to every kiosk it enrols. `sign-key` makes the hub's online configuration signing key and its
 * certificate signed by the root (hub/config/signing-key.ts); run again, it rotates the key (version + 1) and a
 * running hub re-signs everything with the new one within a second.
 */
import { readFileSync } from 'node:fs';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk keys init --out DIR
       memberkiosk keys install-public HQ_ROOT_PUB_FILE [--data DIR]
       memberkiosk keys sign-key --root-key PATH/hq-root.key [--days 365] [--data DIR]
  init            make HQ's root key pair: DIR/hq-root.key (mode 0600: keep it offline, never on the hub) and
                  DIR/hq-root.pub; refuses to overwrite an existing key (HQ_KEY_EXISTS)
  install-public  give a hub the public key (refuses a private key or anything not Ed25519: HQ_KEY_INVALID)
  sign-key        make the hub's configuration signing key (DATA/config-signing.key, 0600) and its certificate
                  signed by the root (DATA/config-signing.cert.json), valid --days; again: rotate it (version + 1).
                  Refuses a root that is not the hub's installed hq-root.pub (HQ_ROOT_MISMATCH)
  --data          the hub's data directory; default ./data/hub
exit codes: 0 done, 1 refused, 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('keys', USAGE, { args, allowPositionals: true, options: { out: { type: 'string' }, data: { type: 'string', default: './data/hub' }, 'root-key': { type: 'string' }, days: { type: 'string' } } });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, file, ...extra] = positionals;
  if (extra.length > 0) return usageError('keys', USAGE, `unexpected argument '${extra[0]}'`);
  const { createHqRootKey, installHqRootPublicKey } = await import('../../hub/fleet/hq-root-key.ts');
  if (action === 'init' && file === undefined) {
    if (!values.out) return usageError('keys', USAGE, 'keys init needs --out DIR');
    const written = createHqRootKey(values.out);
    process.stdout.write(`HQ root key: ${written.privateKeyPath} (keep offline)\npublic key:  ${written.publicKeyPath} (memberkiosk keys install-public ${written.publicKeyPath} --data HUB_DATA)\n`);
    return 0;
  }
  if (action === 'sign-key' && file === undefined) {
    const rootKeyPath = values['root-key'];
    if (!rootKeyPath) return usageError('keys', USAGE, 'keys sign-key needs --root-key PATH (HQ\'s hq-root.key)');
    const days = values.days === undefined ? undefined : Number(values.days);
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3_650)) return usageError('keys', USAGE, `--days is a whole number from 1 to 3650, not '${values.days}'`);
    let rootPem;
    try {
      rootPem = readFileSync(rootKeyPath, 'utf8');
    } catch (error) {
      return usageError('keys', USAGE, `cannot read ${rootKeyPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const { createSigningKey } = await import('../../hub/config/signing-key.ts');
    const made = createSigningKey(values.data, rootPem, days === undefined ? {} : { days });
    const { recordCliAction } = await import('./record-cli-action.ts');
    await recordCliAction(values.data, { action: 'keys.sign_key', target: made.keyId, after: { version: made.version, expires: made.expires } });
    process.stdout.write(`signing key version ${made.version} (${made.keyId.slice(0, 16)}…), valid until ${made.expires}\n  ${made.keyPath}\n  ${made.certPath}\n`);
    return 0;
  }
  if (action === 'install-public' && file) {
    let pem;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      return usageError('keys', USAGE, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    process.stdout.write(`installed ${installHqRootPublicKey(values.data, pem)}\n`);
    return 0;
  }
  return usageError('keys', USAGE, action === 'install-public' ? 'keys install-public needs the public key file' : action ? `unknown action '${action}'` : 'say init, install-public or sign-key');
}
