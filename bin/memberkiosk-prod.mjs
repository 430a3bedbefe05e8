#!/usr/bin/env node
// The `memberkiosk` command as production runs it (the Dockerfile, the kiosk's systemd unit): the compiled
// JavaScript of `npm run build` (dist/), on plain Node, with no TypeScript loader in the process — the kiosk holds
// less memory and starts sooner than through tsx (bin/memberkiosk.mjs, which `npm start` and development use).
// It refuses to start from a build that is missing or older than its sources: what runs is what was reviewed.
// MEMBERKIOSK_DIST names another build inside the repository (a test's).
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMPILED_CLI, compiledBuildProblem, DEFAULT_OUT_DIR } from './compiled-build.mjs';

/** Exit code of a missing or stale build: restarting cannot fix it (the kiosk unit does not retry it). */
const NO_CURRENT_BUILD = 3;

const outDir = process.env.MEMBERKIOSK_DIST ? resolve(process.env.MEMBERKIOSK_DIST) : DEFAULT_OUT_DIR;
const problem = compiledBuildProblem(outDir);
if (problem) {
  process.stderr.write(`memberkiosk: ${problem}\n`);
  process.exit(NO_CURRENT_BUILD);
}
const { main } = await import(pathToFileURL(join(outDir, COMPILED_CLI)).href);
process.exitCode = await main(process.argv.slice(2));
// As bin/memberkiosk.mjs: native handles that outlive their owner (pcsclite's reader monitor) must not keep the
// process alive once main() has returned. Unreferenced, so a clean exit is not delayed.
setTimeout(() => process.exit(), 1000).unref();
