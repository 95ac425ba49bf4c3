/**
 * Lints the Dockerfile's essentials (no Docker engine in CI to build it): two node:22-slim stages, a
 * build stage that compiles and prunes dev dependencies, a runtime stage that copies only production
 * files, runs as a non-root user and checks /healthz with node.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const all = instructions(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const stageStarts = all.flatMap((ins, i) => (ins.op === 'FROM' ? [i] : []));
const stage = (n: number) => all.slice(stageStarts[n], stageStarts[n + 1]);
const build = stage(0);
const runtime = stage(1);
const args = (list: Instruction[], op: string) => list.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('has a build and a runtime stage, both node:22-slim', () => {
    expect(args(all, 'FROM')).toEqual(['node:22-slim AS build', 'node:22-slim AS runtime']);
  });

  it('builds with npm ci, compiles, and prunes dev dependencies in the build stage', () => {
    const runs = args(build, 'RUN').join(' && ');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm run build');
    expect(runs).toMatch(/npm prune --omit=dev/);
    expect(runs.indexOf('npm run build')).toBeLessThan(runs.indexOf('npm prune'));
  });

  it('copies only production files into the runtime stage', () => {
    const copies = args(runtime, 'COPY');
    const sources = copies.map((c) => c.replace(/--\S+\s+/g, '').split(/\s+/)[0]);
    expect(sources.sort()).toEqual(['/app/dist', '/app/node_modules', '/app/package.json', 'assets', 'openapi.yaml', 'public'].sort());
    // node_modules can only come from the pruned build stage; nothing installs packages at runtime.
    expect(copies.find((c) => c.includes('node_modules'))).toMatch(/^--from=build /);
    expect(args(runtime, 'RUN').join(' ')).not.toMatch(/npm (ci|install|i )/);
    for (const forbidden of ['src', 'test', 'bench', 'scripts', 'tsconfig']) {
      expect(sources.some((s) => s === forbidden || s?.startsWith(`${forbidden}/`))).toBe(false);
    }
  });

  it('copies runtime files that exist in the repository', () => {
    for (const path of ['assets/ca/chia_ca.crt', 'assets/ca/chia_ca.key', 'public', 'openapi.yaml', 'package-lock.json', 'tsconfig.build.json']) {
      expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
    }
  });

  it('runs as a non-root user with HOST=0.0.0.0, port 8080 and /data as a volume', () => {
    const users = args(runtime, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const env = args(runtime, 'ENV').join(' ');
    expect(env).toContain('HOST=0.0.0.0');
    expect(env).toContain('CHIA_GATEWAY_DATA_DIR=/data');
    expect(args(runtime, 'EXPOSE')).toEqual(['8080']);
    expect(args(runtime, 'VOLUME')).toEqual(['/data']);
    // USER comes before CMD so the process never runs as root.
    expect(runtime.findIndex((i) => i.op === 'USER')).toBeLessThan(runtime.findIndex((i) => i.op === 'CMD'));
  });

  it('checks /healthz with node (slim images have no curl) and starts the compiled CLI', () => {
    const [healthcheck] = args(runtime, 'HEALTHCHECK');
    expect(healthcheck).toContain('CMD ["node"');
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).not.toMatch(/curl|wget/);
    expect(args(runtime, 'CMD')).toEqual(['["node", "dist/src/cli.js"]']);
  });

  it('keeps local state and dependencies out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.data', '.git']) expect(ignored).toContain(entry);
    // What the Dockerfile copies must not be ignored.
    for (const entry of ['src', 'routes', 'schemas', 'assets', 'public', 'openapi.yaml']) expect(ignored).not.toContain(entry);
  });
});
