#!/usr/bin/env node
// The `memberkiosk` command. The sources are TypeScript run through tsx's loader, so a fresh clone needs
// no build step; the Dockerfile uses the same entry.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/cli.ts');
process.exitCode = await main(process.argv.slice(2));
