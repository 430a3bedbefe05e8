#!/usr/bin/env node
// @ts-check
// `npm run build [-- --out-dir DIR]`: the compiled JavaScript that production runs (bin/memberkiosk-prod.mjs,
// the Dockerfile, the kiosk's systemd unit), emitted by tsc from tsconfig.build.json into dist/. The web apps are
// built by Vite separately (npm run console:build, npm run screen:build). bin/compiled-build.mjs says how.
// `--check` only says whether the build there is current (install-kiosk.sh asks before it builds).
import { parseArgs } from 'node:util';
import { compileBuild, compiledBuildProblem, DEFAULT_OUT_DIR } from './compiled-build.mjs';

const USAGE = `usage: npm run build [-- --out-dir DIR] [--no-check]
       node bin/build.mjs --check [--out-dir DIR]
  --out-dir   where the compiled tree goes, inside the repository; default dist
  --no-check  emit without checking types (a test of the build; npx tsc --noEmit checks them)
  --check     build nothing: exit 0 when the build is there and no source changed since, 1 (and why) otherwise
exit codes: 0 built (or current), 1 not built (tsc failed, or the folder was refused; nothing replaced) or not
            current, 2 bad options
`;

/** @type {{ 'out-dir'?: string, 'no-check'?: boolean, check?: boolean, help?: boolean }} */
let values;
try {
  ({ values } = parseArgs({ options: { 'out-dir': { type: 'string' }, 'no-check': { type: 'boolean' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (values.check) {
  const problem = compiledBuildProblem(values['out-dir'] ?? DEFAULT_OUT_DIR);
  if (problem) process.stderr.write(`build: ${problem}\n`);
  process.exit(problem ? 1 : 0);
}
const result = compileBuild({ ...(values['out-dir'] ? { outDir: values['out-dir'] } : {}), typeCheck: !values['no-check'], log: (line) => process.stdout.write(`build: ${line}\n`) });
if (!result.ok) {
  process.stderr.write(`build: ${result.message}\n`);
  process.exit(1);
}
process.stdout.write(`build: ${result.modules} modules in ${result.outDir} (${result.seconds.toFixed(1)} s)\n`);
