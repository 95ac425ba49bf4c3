/**
 * Location of the repository's reference data (fixtures/: vectors, real blocks) and of the repository
 * root. Everything the tests read is inside the repository, so a plain clone runs them.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES_DIR = resolve(REPO_ROOT, 'fixtures');

/** Absolute path of a file under fixtures/, failing clearly when it is missing. */
export function fixtureFile(...parts: string[]): string {
  const path = resolve(FIXTURES_DIR, ...parts);
  if (!existsSync(path)) throw new Error(`fixture not found: ${path}`);
  return path;
}
