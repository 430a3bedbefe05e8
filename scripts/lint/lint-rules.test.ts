/**
 * The architecture the build enforces, shown by linting probes with the project's own ESLint configuration:
 * an import across a forbidden folder boundary fails, and so does a switch on rule kinds that leaves one out.
 * (ESLint's type-aware rules need the probe on disk inside the TypeScript project: it is written next to the
 * code it imports and removed afterwards.)
 */
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const probes: string[] = [];

async function lintProbe(relativePath: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const path = `${ROOT}${relativePath}`;
  writeFileSync(path, code);
  probes.push(path);
  const [result] = await new ESLint({ cwd: ROOT }).lintFiles([path]);
  return (result?.messages ?? []).map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

describe('lint rules that make the folder table executable', () => {
  afterAll(() => {
    for (const path of probes) rmSync(path, { force: true });
  });

  it('refuses device/ importing hub/, hub/ importing device/, drivers/ importing device/, core/ importing drivers/ or doing I/O', async () => {
    const cases: [string, string][] = [
      ['device/lint-probe-boundary.ts', "import { createHub } from '../hub/main.ts';\nexport const probe = createHub;\n"],
      ['hub/lint-probe-boundary.ts', "import { createDevice } from '../device/main.ts';\nexport const probe = createDevice;\n"],
      ['drivers/lint-probe-boundary.ts', "import { createDevice } from '../device/main.ts';\nexport const probe = createDevice;\n"],
      ['core/lint-probe-boundary.ts', "import { cardReaders } from '../drivers/registry/index.ts';\nimport { readFileSync } from 'node:fs';\nexport const probe = [cardReaders, readFileSync];\n"],
    ];
    for (const [path, code] of cases) {
      const messages = await lintProbe(path, code);
      expect(messages.filter((m) => m.ruleId === 'no-restricted-imports').length, `${path}: ${JSON.stringify(messages)}`).toBeGreaterThan(0);
    }
    // e2e/ is the one place that may import both.
    const allowed = await lintProbe('e2e/lint-probe-boundary.ts', "import { createHub } from '../hub/main.ts';\nimport { createDevice } from '../device/main.ts';\nexport const probe = [createHub, createDevice];\n");
    expect(allowed.filter((m) => m.ruleId === 'no-restricted-imports')).toEqual([]);
  });

  it('refuses a switch on rule kinds that does not handle every kind (a rule kind added to the schema but not compiled)', async () => {
    const messages = await lintProbe(
      'core/rules/lint-probe-unhandled.ts',
      "import type { RuleKind } from './bundle.ts';\nexport function stageOf(kind: RuleKind): string {\n  switch (kind) {\n    case 'discount':\n      return 'price';\n  }\n  return 'none';\n}\n",
    );
    expect(messages).toContainEqual(expect.objectContaining({ ruleId: '@typescript-eslint/switch-exhaustiveness-check' }));
  });
});
