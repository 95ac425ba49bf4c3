/**
 * What the README tells people to run and to set must exist: its commands are npm scripts or the
 * package's command, and its configuration table is the one the option table writes (`npm run readme`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withConfigurationTable, withRpcTable } from '../../scripts/readme-config.js';
import { REPO_ROOT } from '../../fixtures/files.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string>; bin: Record<string, string> };
/** npm's own commands that run a script of the same name. */
const SHORTHANDS = ['start', 'test'];

describe('README', () => {
  it('starts with the two commands, then the demo', () => {
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const commands = (blocks[0] ?? '').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    expect((blocks[1] ?? '').trim()).toMatch(/^npm run demo\b/);
  });

  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/\bnpm (?:run ([\w:-]+)|(start|test)\b)/g)].map((m) => m[1] ?? m[2] ?? '');
    expect(named).toContain('demo');
    for (const script of new Set(named)) expect(pkg.scripts[script], `npm ${SHORTHANDS.includes(script) ? '' : 'run '}${script}`).toBeDefined();
  });

  it('names the command the package installs, and npm start runs it', () => {
    expect(readme).toContain(`${pkg.name} --help`);
    const bin = pkg.bin[pkg.name];
    expect(bin).toBeDefined();
    expect(pkg.scripts.start).toBe(`node ${bin}`);
    // The bin is compiled from a source file in the repository (tsc: src/x.ts → dist/src/x.js).
    expect(existsSync(join(REPO_ROOT, (bin ?? '').replace(/^dist\//, '').replace(/\.js$/, '.ts'))), bin).toBe(true);
  });

  it('has the configuration table the option table writes (npm run readme)', () => {
    expect(readme).toBe(withConfigurationTable(readme));
  });

  it('has the node-RPC table the method table writes (npm run readme)', () => {
    expect(readme).toBe(withRpcTable(readme));
  });
});
