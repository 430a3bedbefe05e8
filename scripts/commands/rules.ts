/**
 * `memberkiosk rules check BUNDLE.json` — is the bundle valid? Prints "valid" with a summary, or one line
 * per issue ("path: reason"); exit 0 when valid, 1 when not, 2 on usage or unreadable files.
 * `memberkiosk rules eval BUNDLE.json INPUT.json` — evaluates what the input's `kind` names: a purchase (kind
 * absent), a top-up, a registration, a paid upgrade, a gift redemption, a tier review, a points credit's tier
 * check, an event or manual bonus, a refund, a count-card use (core/rules/context-schema.ts) and prints
 * {kind, result, receipt, receiptZh} as JSON: the full result with its trace, the short receipt form and it in Chinese. An engine refusal
 * (e.g. points over the max share) prints {error: {code, message, details}} with the one code docs/RULES.md
 * gives that refusal, and exits 1. `--json` on check prints {valid, issues} instead of text. Shapes: docs/RULES.md.
 */
import { readFileSync } from 'node:fs';
import { isCodedError } from '../../core/errors/coded-error.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';
import { checkRulesBundle } from '../../core/rules/parse.ts';
import { parseEvaluationInput } from '../../core/rules/context-schema.ts';
import { evaluateInput } from '../../core/rules/evaluate-input.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk rules check BUNDLE.json [--json]
       memberkiosk rules eval BUNDLE.json INPUT.json
  check   is the bundle valid? "valid" with a summary, or one line per issue (--json: {valid, issues})
  eval    the input evaluated under the bundle, as JSON {kind, result, receipt, receiptZh} (docs/RULES.md); the input's
          kind: purchase (default), top_up, registration, paid_upgrade, redeem_gift, tier_review, tier_credit,
          event_bonus, manual_bonus, refund, card_use, points_rebate
exit codes: 0 valid / evaluated, 1 invalid bundle or input, or the engine refused, 2 bad options or unreadable files
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('rules', USAGE, { args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
  if (!flags.ok) return flags.exitCode;
  const [command, ...files] = flags.parsed.positionals;
  if (command === 'check' && files.length === 1) return check(files[0]!, flags.parsed.values.json);
  // eval prints JSON anyway: --json there changes nothing
  if (command === 'eval' && files.length === 2) return evaluate(files[0]!, files[1]!);
  if (command === 'check' || command === 'eval') return usageError('rules', USAGE, `rules ${command} takes ${command === 'check' ? 'one file' : 'two files'}, got ${files.length}`);
  return usageError('rules', USAGE, command === undefined ? 'no subcommand given' : `unknown subcommand '${command}'`);
}

function readJson(path: string): { ok: true; json: unknown } | { ok: false } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    process.stderr.write(`memberkiosk rules: cannot read ${path}: ${(error as Error).message}\n`);
    return { ok: false };
  }
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (error) {
    process.stderr.write(`memberkiosk rules: ${path} is not JSON: ${(error as Error).message}\n`);
    return { ok: false };
  }
}

function check(path: string, asJson: boolean): number {
  const file = readJson(path);
  if (!file.ok) return 2;
  const result = checkRulesBundle(file.json);
  if (asJson) {
    process.stdout.write(`${JSON.stringify(result.ok ? { valid: true, issues: [] } : { valid: false, issues: result.issues }, null, 2)}\n`);
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    process.stdout.write(`valid: ${path}\n${summary(result.bundle)}\n`);
    return 0;
  }
  process.stdout.write(`invalid: ${path} (${result.issues.length} issue${result.issues.length === 1 ? '' : 's'})\n`);
  for (const issue of result.issues) process.stdout.write(`  ${issue.path || '(bundle)'}: ${issue.reason}\n`);
  return 1;
}

function summary(bundle: RulesBundle): string {
  const kinds = new Map<string, number>();
  for (const rule of bundle.rules) kinds.set(rule.kind, (kinds.get(rule.kind) ?? 0) + 1);
  const byKind = [...kinds].map(([kind, n]) => `${kind} ×${n}`).join(', ');
  const format = bundle.format === undefined ? 'format 1 (no format given)' : `format ${bundle.format}`;
  return `  version ${bundle.version}, ${format}, timezone ${bundle.timezone ?? 'Asia/Shanghai (default)'}, ${bundle.rules.length} rules${byKind ? ` (${byKind})` : ''}`;
}

function evaluate(bundlePath: string, basketPath: string): number {
  const bundleFile = readJson(bundlePath);
  const basketFile = readJson(basketPath);
  if (!bundleFile.ok || !basketFile.ok) return 2;
  const checked = checkRulesBundle(bundleFile.json);
  if (!checked.ok) {
    process.stdout.write(`${JSON.stringify({ error: { code: 'RULES_INVALID' satisfies ErrorCode, message: `${bundlePath} is not a valid rules bundle`, details: { issues: checked.issues } } }, null, 2)}\n`);
    return 1;
  }
  const parsed = parseEvaluationInput(basketFile.json);
  if (!parsed.ok) {
    process.stdout.write(`${JSON.stringify({ error: { code: 'TX_INVALID' satisfies ErrorCode, message: `${basketPath} is not a valid evaluation input`, details: { issues: parsed.issues } } }, null, 2)}\n`);
    return 1;
  }
  const bundle = checked.bundle;
  const input = parsed.input;
  try {
    process.stdout.write(`${JSON.stringify(evaluateInput(bundle, input), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!isCodedError(error)) throw error;
    process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, details: error.details ?? {} } }, null, 2)}\n`);
    return 1;
  }
}
