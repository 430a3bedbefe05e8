/**
 * `memberkiosk config publish FILE --scope global|region:R|store:S|kiosk:K [--expires-days N] [--version N] [--data DIR]`
 * `memberkiosk config list [--data DIR]`
 * Publishing checks a bundle (content, scope in the fleet, version, the merged rules of every kiosk it reaches),
 * signs it with the hub's signing key and stores it in the hub's fleet.sqlite; a running hub on the same data
 * directory picks it up within a second, retains it on its scope's topic and gives each kiosk it reaches a new
 * signed snapshot (hub/config/config-sync.ts). `list` shows what is published and each kiosk's snapshot.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseCommandArgs, usageError } from '../command-args.ts';
import { hubTarget, withHubStores, type HubTarget } from './with-fleet.ts';

const USAGE = `usage: memberkiosk config publish FILE --scope global|region:R|store:S|kiosk:K [--expires-days N] [--version N] [--data DIR]
       memberkiosk config list [--data DIR]
  publish         FILE: JSON of one scope's configuration (rules, offlineLimits, receipt, items, gifts, screen;
                  docs/OPERATIONS.md); signed with the hub's key (memberkiosk keys sign-key) and stored; a running
                  hub sends it to the kiosks it reaches within a second
  --scope         who gets it: global, region:R, store:S or kiosk:K (the region, store or kiosk must exist)
  --expires-days  the signed bundle's lifetime (default 365); the hub renews its signature at half of it
  --version       the version to publish (default: the scope's newest + 1); not above the newest: refused
  list            the newest version of every scope, and the snapshot each kiosk was given
  --data          the hub's data directory; default ./data/hub
  --db            the hub's PostgreSQL database (the URL given to memberkiosk hub --db), when its fleet is there
exit codes: 0 done, 1 refused (CONFIG_INVALID, CONFIG_SCOPE_UNKNOWN, CONFIG_VERSION_STALE, SIGNING_KEY_MISSING), 2 bad options
`;

const wholeNumber = (text: string | undefined): number | null | undefined => (text === undefined ? undefined : /^\d{1,9}$/.test(text) ? Number(text) : null);

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('config', USAGE, {
    args,
    allowPositionals: true,
    options: { data: { type: 'string', default: './data/hub' }, db: { type: 'string' }, scope: { type: 'string' }, 'expires-days': { type: 'string' }, version: { type: 'string' } },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const hub = await hubTarget(values.data, values.db);
  if (typeof hub === 'string') return usageError('config', USAGE, hub);
  const [action, file, ...extra] = positionals;
  if (extra.length > 0) return usageError('config', USAGE, `unexpected argument '${extra[0]}'`);
  if (action === 'list' && file === undefined) return list(hub);
  if (action !== 'publish') return usageError('config', USAGE, action ? `unknown action '${action}'` : 'say publish or list');
  if (!file) return usageError('config', USAGE, 'config publish needs the FILE to publish');
  if (!values.scope) return usageError('config', USAGE, '--scope is required (global, region:R, store:S or kiosk:K)');
  const expiresDays = wholeNumber(values['expires-days']);
  if (expiresDays === null) return usageError('config', USAGE, `--expires-days is a whole number of days, not '${values['expires-days']}'`);
  const version = wholeNumber(values.version);
  if (version === null) return usageError('config', USAGE, `--version is a whole number, not '${values.version}'`);
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return usageError('config', USAGE, `cannot read ${file} as JSON: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { publishConfig } = await import('../../hub/config/publish-config.ts');
  const { readSigningKey } = await import('../../hub/config/signing-key.ts');
  const key = readSigningKey(values.data);
  if (!key.ok) {
    const { CodedError } = await import('../../core/errors/coded-error.ts');
    throw new CodedError('SIGNING_KEY_MISSING', `the hub cannot sign configuration: ${key.reason}`);
  }
  const scope = values.scope;
  const outcome = await withHubStores(hub, ({ config: store, fleet }) =>
    publishConfig(
      { store, fleet, signingKey: key.key },
      { scope, content, publishedBy: `cli:${userInfo().username}`, ...(expiresDays === undefined ? {} : { expiresDays }), ...(version === undefined ? {} : { version }) },
    ),
  );
  const { recordCliAction } = await import('./record-cli-action.ts');
  await recordCliAction(hub, { action: 'config.publish', target: outcome.scope, after: { version: outcome.version, expires: outcome.expires, keyId: outcome.keyId, kiosks: outcome.kiosks.length } });
  process.stdout.write(`published ${outcome.scope} v${outcome.version}, valid until ${outcome.expires}; ${outcome.kiosks.length} kiosk(s) get a new snapshot from the running hub\n`);
  return 0;
}

async function list(hub: HubTarget): Promise<number> {
  const { describeConfig } = await import('../../hub/config/config-overview.ts');
  const { readSigningKey } = await import('../../hub/config/signing-key.ts');
  const overview = await withHubStores(hub, ({ config }) => describeConfig(config, readSigningKey(hub.dataDir)));
  const key = overview.signingKey;
  process.stdout.write(key ? `signing key v${key.version} ${key.keyId.slice(0, 16)}… valid until ${key.expires}\n` : `no signing key: ${overview.signingKeyProblem}\n`);
  for (const s of overview.scopes) {
    process.stdout.write(`${s.scope}\tv${s.version}\t${s.kiosks} kiosk(s)\tpublished ${s.publishedAt} by ${s.publishedBy}${s.seededFromRules === null ? '' : ` (from rules v${s.seededFromRules})`}\texpires ${s.expires}\n`);
  }
  for (const k of overview.kiosks) {
    process.stdout.write(`${k.deviceId}\t${k.storeId}\t${k.regionId ?? '-'}\tsnapshot ${k.snapshotVersion}\trules v${k.rulesVersion}\texpires ${k.expires}\t${k.scopes.map((e) => `${e.scope}@${e.version}`).join(' ')}\n`);
  }
  return 0;
}
