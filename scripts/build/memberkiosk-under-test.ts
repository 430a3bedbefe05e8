/**
 * How the tests start `memberkiosk` as a process of its own: from the compiled build, as production runs it
 * (bin/memberkiosk-prod.mjs: the Dockerfile, the kiosk's systemd unit), when the suite's build is current. Through
 * tsx (bin/memberkiosk.mjs) every such process compiled its modules again as it loaded them: a CLI command took
 * 0.9 s of CPU instead of 0.4 s, a hub's ledger writer thread 1.1 s instead of 0.4 s, and a full run starts
 * hundreds of them on CI's two cores.
 *
 * The suite's global set-up compiles the build (scripts/console/vitest-global-setup.ts, `prepareTestBuild`). A
 * source edited while tests run makes it stale; from then on tests start the sources, which is the same code, and
 * the next run compiles again. Outside vitest (the benchmarks) and with MK_TEST_FROM_SOURCES=1, always the sources.
 * `npm start`'s own path (bin/memberkiosk.mjs) stays covered by the tests that start the demo, the hub and the
 * kiosk tests under hub/ and device/, and the soak.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { compiledBuildProblem, REPOSITORY_ROOT } from '../../bin/compiled-build.mjs';
import { buildDirUnderRepository, collectOutput, PROD_BIN } from './compiled-cli.ts';

/** The suite's own build (.tmp/ is ignored by git and the linters), apart from a developer's dist/. */
export const TEST_BUILD_DIR = buildDirUnderRepository('test-build');

const SOURCES_BIN = join(REPOSITORY_ROOT, 'bin', 'memberkiosk.mjs');

/** How long a "the build is current" answer is trusted before the sources' times are read again. */
const RECHECK_AFTER_MS = 2_000;
let checkedAt = Number.NEGATIVE_INFINITY;
let current = false;

/**
 * Compiles the suite's build unless it is current (the global set-up, before any test file runs). tsc runs as a
 * process of its own (bin/build.mjs), so the console's and the screen's Vite builds go on beside it.
 */
export async function prepareTestBuild(): Promise<void> {
  if (process.env['MK_TEST_FROM_SOURCES'] === '1' || compiledBuildProblem(TEST_BUILD_DIR) === null) return;
  const build = spawn(process.execPath, [join(REPOSITORY_ROOT, 'bin', 'build.mjs'), '--out-dir', TEST_BUILD_DIR, '--no-check'], { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(build);
  const code = await new Promise<number | null>((resolve) => build.once('close', resolve));
  if (code !== 0) throw new Error(`the suite's compiled build (${TEST_BUILD_DIR}) failed (exit ${code}):\n${output().stdout}${output().stderr}`);
}

function testBuildIsCurrent(): boolean {
  if (process.env['VITEST'] === undefined || process.env['MK_TEST_FROM_SOURCES'] === '1') return false;
  const now = performance.now();
  if (now - checkedAt > RECHECK_AFTER_MS) {
    current = compiledBuildProblem(TEST_BUILD_DIR) === null;
    checkedAt = now;
  }
  return current;
}

/**
 * What to pass to `spawn(process.execPath, args, { env })` for `memberkiosk ...commandArgs`: the entry script
 * and the environment that names the build. `env` is added to the test's own environment.
 */
export function memberkioskProcess(commandArgs: readonly string[], env: NodeJS.ProcessEnv = {}): { args: string[]; env: NodeJS.ProcessEnv } {
  if (testBuildIsCurrent()) return { args: [PROD_BIN, ...commandArgs], env: { ...process.env, ...env, MEMBERKIOSK_DIST: TEST_BUILD_DIR } };
  return { args: [SOURCES_BIN, ...commandArgs], env: { ...process.env, ...env } };
}
