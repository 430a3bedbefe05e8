import tseslint from 'typescript-eslint';

// The one rule we cannot live without: a floating promise in a ledger or outbox path loses money silently.
export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bench/**', '.tmp/**', 'flows/**/*.js', 'eslint.config.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
);
