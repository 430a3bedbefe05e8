/**
 * `memberkiosk codes generate|list|verify --data HUB`: redemption codes (兑换码 / 防伪码) on a hub's ledger
 * (docs/ACCOUNTS.md). `generate` writes the printable list once, to a new file (0600): the hub keeps only keyed
 * hashes and can never print the codes again. Recorded in the audit log as the CLI (whoever runs this has the
 * hub's files).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseCommandArgs, usageError } from '../command-args.ts';
import { withLedger } from './with-ledger.ts';

const USAGE = `usage: memberkiosk codes generate --batch NAME --sku SKU --points N --count K --expires DATE --out FILE.csv [--data DIR]
       memberkiosk codes list [--data DIR]
       memberkiosk codes verify CODE [--data DIR]     genuine, used, expired or unknown; nothing is used
  --batch    the batch's name (unique), e.g. label-2025-spring
  --sku      the product the labels go on
  --points   what one code gives (whole points)
  --count    how many codes (at most 100000)
  --expires  YYYY-MM-DD (good through that day, UTC) or an ISO time ending in Z
  --out      the printable list (CSV: code,batch,sku,points,expires_at); must not exist yet
  --data     the hub's data directory (holding ledger.sqlite); default ./data/hub
exit codes: 0 done (verify: genuine), 1 refused (verify: not genuine, or a typo), 2 bad options or no ledger
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('codes', USAGE, {
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: './data/hub' },
      batch: { type: 'string' },
      sku: { type: 'string' },
      points: { type: 'string' },
      count: { type: 'string' },
      expires: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, code, ...extra] = positionals;
  if (extra.length > 0 || (action !== 'verify' && code !== undefined)) return usageError('codes', USAGE, `unexpected argument '${extra[0] ?? code}'`);
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const { codeBatchAudit, codeBatchCsv, codeBatchRequestSchema, generateCodeBatch, verifyTypedCode } = await import('../../hub/codes/code-batches.ts');
  if (!action) return usageError('codes', USAGE, 'say generate, list or verify');
  switch (action) {
    case 'generate': {
      if (!values.batch || !values.sku || !values.points || !values.count || !values.expires || !values.out) {
        return usageError('codes', USAGE, 'codes generate needs --batch, --sku, --points, --count, --expires and --out');
      }
      const request = codeBatchRequestSchema.safeParse({ name: values.batch, sku: values.sku, points: Number(values.points), count: Number(values.count), expiresAt: values.expires });
      if (!request.success) return usageError('codes', USAGE, request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const out = values.out;
      if (existsSync(out)) {
        process.stderr.write(`memberkiosk codes: ${out} exists already: the codes are printed once, to a new file\n`);
        return 2;
      }
      const done = await withLedger('codes', values.data, async (ledger) => {
        const user = userInfo().username;
        const generated = await generateCodeBatch(ledger.codes, request.data, `cli:${user}`);
        // 'wx': never over an existing list (a second printing would be a second set of labels).
        writeFileSync(out, codeBatchCsv(generated), { flag: 'wx', mode: 0o600 });
        await ledger.identity.appendAudit(codeBatchAudit(generated.batch, { actorKind: 'cli', actorId: user, surface: 'cli' }));
        return generated.batch;
      });
      if (!done) return 2;
      print({ ...done, out });
      return 0;
    }
    case 'list': {
      const batches = await withLedger('codes', values.data, (ledger) => ledger.codes.listCodeBatches());
      if (!batches) return 2;
      print(batches);
      return 0;
    }
    case 'verify': {
      if (!code) return usageError('codes', USAGE, 'codes verify needs the CODE');
      const found = await withLedger('codes', values.data, (ledger) => verifyTypedCode(ledger.codes, code, new Date().toISOString()));
      if (!found) return 2;
      print(found);
      return found.status === 'genuine' ? 0 : 1;
    }
    default:
      return usageError('codes', USAGE, `unknown action '${action}'`);
  }
}
