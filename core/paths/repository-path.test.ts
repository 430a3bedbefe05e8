import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, repositoryPath } from './repository-path.ts';

describe('paths in the repository, from the sources', () => {
  it('finds the root by its package.json, and the files the code reads there', () => {
    expect((JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { name: string }).name).toBe('memberkiosk');
    expect(existsSync(repositoryPath('flows', 'child', 'main.mjs'))).toBe(true);
    expect(repositoryPath('console', 'dist')).toBe(join(REPOSITORY_ROOT, 'console', 'dist'));
  });
});
