/**
 * `memberkiosk draws create|open|close|list|entries|verify --data HUB`: points draws (积分抽奖) on a hub's ledger
 * (docs/ACCOUNTS.md). `create` reads HQ's definition from a JSON file and publishes the seed's SHA-256 at once;
 * `close` draws the second chance among the entries and reveals the seed; `verify` recomputes every outcome from
 * the seed and compares it with what the ledger recorded. Changes are recorded in the audit log as the CLI.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseCommandArgs, usageError } from '../command-args.ts';
import { withLedger } from './with-ledger.ts';

const USAGE = `usage: memberkiosk draws create --file DRAW.json [--data DIR]
       memberkiosk draws open DRAW_ID [--data DIR]
       memberkiosk draws close DRAW_ID [--data DIR]      second-chance winners drawn, the seed revealed
       memberkiosk draws list [--status draft|open|closed] [--data DIR]
       memberkiosk draws entries DRAW_ID [--data DIR]    every entry's outcome and the second-chance winners
       memberkiosk draws verify DRAW_ID [--data DIR]     recomputes every outcome from the seed
  DRAW.json  {"drawId"?, "name", "costPoints", "closesAt", "noPrizeWeight",
              "prizes": [{"prizeId", "name", "kind": "gift"|"points", "points"?, "weight", "stock"}],
              "secondChance"?: [{"prizeId", "name", "count"}]}
  --data     the hub's data directory (holding ledger.sqlite); default ./data/hub
exit codes: 0 done (verify: every outcome matches), 1 refused (verify: a mismatch), 2 bad options, no ledger or no such draw
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('draws', USAGE, {
    args,
    allowPositionals: true,
    options: { data: { type: 'string', default: './data/hub' }, file: { type: 'string' }, status: { type: 'string' } },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, drawId, ...extra] = positionals;
  if (extra.length > 0) return usageError('draws', USAGE, `unexpected argument '${extra[0]}'`);
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const needsId = ['open', 'close', 'entries', 'verify'];
  if (action !== undefined && needsId.includes(action) && !drawId) return usageError('draws', USAGE, `draws ${action} needs a DRAW_ID`);
  if (action && !needsId.includes(action) && drawId) return usageError('draws', USAGE, `unexpected argument '${drawId}'`);
  const { createDraw, drawAudit, verifyDraw } = await import('../../hub/draws/draw-admin.ts');
  const user = userInfo().username;
  const cli = { actorKind: 'cli', actorId: user, surface: 'cli' } as const;
  if (!action) return usageError('draws', USAGE, 'say create, open, close, list, entries or verify');
  switch (action) {
    case 'create': {
      if (!values.file) return usageError('draws', USAGE, 'draws create needs --file DRAW.json');
      let definition: unknown;
      try {
        definition = JSON.parse(readFileSync(values.file, 'utf8'));
      } catch (error) {
        return usageError('draws', USAGE, `cannot read ${values.file}: ${(error as Error).message}`);
      }
      const draw = await withLedger('draws', values.data, async (ledger) => {
        const created = await createDraw(ledger.draws, definition, `cli:${user}`);
        await ledger.identity.appendAudit(drawAudit('draws.create', created, cli, created.createdAt));
        return created;
      });
      if (!draw) return 2;
      print(draw);
      return 0;
    }
    case 'open':
    case 'close': {
      const draw = await withLedger('draws', values.data, async (ledger) => {
        const at = new Date().toISOString();
        const changed = action === 'open' ? await ledger.draws.openDraw(drawId!, at) : await ledger.draws.closeDraw(drawId!, at);
        await ledger.identity.appendAudit(drawAudit(`draws.${action}`, changed, cli, at));
        return changed;
      });
      if (!draw) return 2;
      print(draw);
      return 0;
    }
    case 'list': {
      const status = values.status;
      if (status !== undefined && !['draft', 'open', 'closed'].includes(status)) return usageError('draws', USAGE, '--status is draft, open or closed');
      const draws = await withLedger('draws', values.data, (ledger) => ledger.draws.listDraws(status as 'draft' | 'open' | 'closed' | undefined));
      if (!draws) return 2;
      print(draws);
      return 0;
    }
    case 'entries': {
      const found = await withLedger('draws', values.data, async (ledger) => {
        const draw = await ledger.draws.draw(drawId!);
        return draw ? { draw, entries: await ledger.draws.drawEntries(drawId!), winners: await ledger.draws.drawWinners(drawId!) } : null;
      });
      if (!found) return noDraw(drawId!);
      print(found);
      return 0;
    }
    case 'verify': {
      const audit = await withLedger('draws', values.data, (ledger) => verifyDraw(ledger.draws, drawId!));
      if (!audit) return noDraw(drawId!);
      print({ drawId, ...audit });
      process.stderr.write(audit.ok ? `draw ${drawId}: ${audit.entriesChecked} entries, every outcome matches the seed\n` : `draw ${drawId}: ${audit.mismatches.length} mismatches\n`);
      return audit.ok ? 0 : 1;
    }
    default:
      return usageError('draws', USAGE, `unknown action '${action}'`);
  }
}

function noDraw(drawId: string): number {
  process.stderr.write(`memberkiosk draws: no draw ${drawId} (or no ledger)\n`);
  return 2;
}
