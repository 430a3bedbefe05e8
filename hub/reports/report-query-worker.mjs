// The report queries' thread starts here: worker threads do not inherit the hub's TypeScript loader (tsx's
// register() in bin/memberkiosk.mjs), so this plain module registers it for the thread and loads the real code.
import { register } from 'tsx/esm/api';

register();
await import('./report-query-worker.ts');
