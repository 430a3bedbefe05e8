import tseslint from 'typescript-eslint';
import { boundaries } from './eslint.boundaries.js';
import pluginVue from 'eslint-plugin-vue';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bench/**', '.tmp/**', 'dist/**', '**/.dist-building-*/**', 'console/{dist,.dist-building-*,dist.old-*}/**', 'device/screen/{dist,.dist-building-*,dist.old-*}/**', 'eslint.config.js', 'eslint.boundaries.js', 'bin/**/*.mjs', 'scripts/**/*.mjs', 'device/**/*.mjs', 'hub/**/*.mjs', 'e2e/**/*.mjs', 'bench/**/*.mjs', 'console/**/*.mjs'] },
  // The HQ console's single-file components (console/): Vue's recommended rules, TypeScript in <script lang="ts">;
  // the console's .ts files get the typed rules below. Layout rules off: lines are long here, as in the .ts files.
  ...pluginVue.configs['flat/recommended'].map((config) => ({ ...config, files: ['console/**/*.vue', 'device/screen/**/*.vue'] })),
  {
    files: ['console/**/*.vue', 'device/screen/**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: { 'vue/max-attributes-per-line': 'off', 'vue/singleline-html-element-content-newline': 'off', 'vue/multiline-html-element-content-newline': 'off', 'vue/html-self-closing': 'off' },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A floating promise in a ledger or outbox path loses money silently.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A new rule kind, transaction kind or result action must be handled everywhere it is switched on.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false }],
      // Ports are async by contract while the SQLite back end and fastify handlers have nothing to await.
      '@typescript-eslint/require-await': 'off',
      // A variable a closure reads before its one assignment (a test's knob) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, objectContaining) and inject().json() are typed `any`: in tests
    // the assertion itself is the type check.
    files: ['**/*.test.ts', '**/test-support/**/*.ts', '**/testing/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // The code that runs inside the Node-RED child (flows/child, flows/nodes): JavaScript Node-RED loads as it is,
    // type-checked through `// @ts-check` and JSDoc by tsc; linted here with the untyped rules.
    files: ['flows/**/*.js', 'flows/**/*.mjs'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
);
