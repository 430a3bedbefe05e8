/**
 * The development tools among the commands — the benchmarks and the soak — run from the sources only
 * (`npm run bench`, `npm run soak`): they drive the tests' kit (e2e/, hub/testing/, Mosquitto, Chromium), which
 * the compiled build (`npm run build`, tsconfig.build.json) leaves out. Their modules are imported by a specifier
 * given as a value, which tsc does not follow into the build; the compiled CLI says where to run them instead of
 * failing on a module that is not there.
 */
export async function importFromSources<T>(specifier: string, fromUrl: string, command: string): Promise<T | null> {
  if (!fromUrl.endsWith('.ts')) {
    process.stderr.write(`memberkiosk ${command}: runs from the sources (npm run ${command}), not from the compiled build\n`);
    return null;
  }
  return (await import(new URL(specifier, fromUrl).href)) as T;
}
