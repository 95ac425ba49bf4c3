/** The README's promises that operations rely on: the two commands first, then the demo, and a configuration table that matches the options. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/config/options.js';
import { REPO_ROOT } from '../support/fixtures.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

describe('README', () => {
  it('starts with the two commands, then the demo', () => {
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const commands = (blocks[0] ?? '').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    expect((blocks[1] ?? '').trim()).toMatch(/^npm run demo\b/);
  });

  it('lists every option with its variable, flag and default in the configuration table', () => {
    const rows = readme.split('\n').filter((l) => l.startsWith('| `'));
    for (const o of OPTIONS) {
      const row = rows.find((r) => r.startsWith(`| \`${o.env}\` |`));
      expect(row, o.env).toBeDefined();
      expect(row).toContain(`\`${o.flag} ${o.value}\``);
      expect(row).toContain(o.defaultText);
    }
  });

  it('documents scripts and entry points that exist', () => {
    expect(pkg.scripts.start).toBe('node dist/src/cli.js');
    expect(pkg.scripts.prestart).toContain('npm run build');
    expect(pkg.scripts.demo).toBe('tsx scripts/demo.ts');
    expect(pkg.bin['chia-peer-gateway']).toBe('dist/src/cli.js');
  });
});
