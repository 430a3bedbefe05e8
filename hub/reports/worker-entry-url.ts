/**
 * The file a report thread starts from, beside the module that starts it (`besideUrl`: its import.meta.url).
 * Compiled (`npm run build`: that module is a .js under dist/), the thread runs the compiled `<name>.js` as it
 * is. From the sources (tsx, vitest), it runs `<name>.mjs`: a plain starter that registers tsx for the thread and
 * then imports `<name>.ts`, because a worker thread does not inherit the TypeScript loader its parent registered.
 */
export function workerEntryUrl(name: string, besideUrl: string): URL {
  const compiled = new URL(besideUrl).pathname.endsWith('.js');
  return new URL(`./${name}.${compiled ? 'js' : 'mjs'}`, besideUrl);
}
