#!/usr/bin/env node
// The `memberkiosk` command. The sources are TypeScript run through tsx's loader, so a fresh clone needs
// no build step; the Dockerfile uses the same entry.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/cli.ts');
process.exitCode = await main(process.argv.slice(2));
// A command is finished when main() returns (long-running ones return after a clean stop). Native handles
// that outlive their owner — pcsclite's reader monitor keeps running after nfc-pcsc's close() — must not keep
// the process alive: give stdout a moment to drain, then exit. Unreferenced, so a clean exit is not delayed.
setTimeout(() => process.exit(), 1000).unref();
