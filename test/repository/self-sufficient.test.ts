/**
 * A clone must run its tests, fuzz target, benchmarks and demo on its own: no file may reach outside
 * the repository for reference data (it lives in fixtures/, the protocol notes in docs/PROTOCOL.md).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../fixtures/files.js';

const CODE_DIRS = ['src', 'routes', 'schemas', 'scripts', 'test', 'bench', 'public', '.ci'];
// Written in two parts so this file does not match itself.
const OUTSIDE_REFERENCES = [`..${'/'}shared`, `CHIA_${'SHARED'}_DIR`, `shared${'/'}protocol`];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'out') return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('repository self-sufficiency', () => {
  it('reads reference data only from inside the repository', () => {
    const offenders = CODE_DIRS.flatMap((dir) => filesUnder(join(REPO_ROOT, dir)))
      .concat(['README.md', 'package.json'].map((f) => join(REPO_ROOT, f)))
      .filter((file) => OUTSIDE_REFERENCES.some((ref) => readFileSync(file, 'utf8').includes(ref)))
      .map((file) => relative(REPO_ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('names the source of every fixture folder', () => {
    for (const dir of ['fixtures', 'fixtures/vectors', 'fixtures/real', 'fixtures/real/more']) {
      expect(readFileSync(join(REPO_ROOT, dir, 'README.md'), 'utf8'), dir).toMatch(/licen[cs]e/i);
    }
  });
});
