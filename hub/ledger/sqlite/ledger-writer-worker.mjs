// The ledger's writer thread starts here when the hub runs from the sources: worker threads do not inherit the hub's
// TypeScript loader (tsx's register() in bin/memberkiosk.mjs), so this plain module registers it for the thread and
// loads the real code. The compiled hub (npm run build) starts the compiled .js instead (worker-entry-url.ts).
import { register } from 'tsx/esm/api';

register();
await import('./ledger-writer-worker.ts');
