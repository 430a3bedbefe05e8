/**
 * `memberkiosk keys init --out DIR` · `memberkiosk keys install-public FILE [--data DIR]`
 * HQ's offline Ed25519 root key: `init` runs on an HQ machine and writes hq-root.key (0600, keep it off the hub,
 * offline) and hq-root.pub; `install-public` copies the public half into a hub's data directory, from where the
 * hub hands it to every kiosk it enrols.
 */
import { readFileSync } from 'node:fs';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk keys init --out DIR
       memberkiosk keys install-public HQ_ROOT_PUB_FILE [--data DIR]
  init            make HQ's root key pair: DIR/hq-root.key (mode 0600: keep it offline, never on the hub) and
                  DIR/hq-root.pub; refuses to overwrite an existing key (HQ_KEY_EXISTS)
  install-public  give a hub the public key (refuses a private key or anything not Ed25519: HQ_KEY_INVALID)
  --data          the hub's data directory; default ./data/hub
exit codes: 0 done, 1 refused, 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('keys', USAGE, { args, allowPositionals: true, options: { out: { type: 'string' }, data: { type: 'string', default: './data/hub' } } });
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
  return usageError('keys', USAGE, action === 'install-public' ? 'keys install-public needs the public key file' : action ? `unknown action '${action}'` : 'say init or install-public');
}
