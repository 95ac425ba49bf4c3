/**
 * The Dockerfile against the repository it builds (no Docker engine in CI to build it): what it
 * copies exists and is not ignored, the build compiles everything the compiler config includes, the
 * image holds the package's runtime files and runs the package's command, and what it sets (variables,
 * port, volume, health check) agrees with the gateway's options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { DEFAULTS, configWith } from '../../src/config/config.js';
import { OPTIONS, envName } from '../../src/config/options.js';
import { REPO_ROOT } from '../../fixtures/files.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';

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

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { name: string; engines: { node: string }; files: string[]; bin: Record<string, string>; scripts: Record<string, string> };
const tsconfigBuild = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

const all = instructions(read('Dockerfile'));
const stageStarts = all.flatMap((ins, i) => (ins.op === 'FROM' ? [i] : []));
const stages = stageStarts.map((start, n) => all.slice(start, stageStarts[n + 1]));
const runtime = stages.at(-1) ?? [];
const args = (list: Instruction[], op: string) => list.filter((i) => i.op === op).map((i) => i.args);

interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}
const copies = (stage: Instruction[]): Copy[] =>
  args(stage, 'COPY').map((line) => {
    const from = /--from=(\S+)/.exec(line)?.[1];
    const paths = line.replace(/--\S+\s+/g, '').split(/\s+/);
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
  });
/** Paths copied from the build context (the repository), in every stage. */
const fromContext = stages.flatMap((stage) => copies(stage).filter((c) => c.from === undefined)).flatMap((c) => c.sources);
/** `KEY=value` pairs of a stage's ENV instructions. */
const envOf = (stage: Instruction[]) => Object.fromEntries(args(stage, 'ENV').flatMap((line) => [...line.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])));

describe('Dockerfile', () => {
  it('builds on a Node the package supports', () => {
    const minimum = Number(/(\d+)/.exec(pkg.engines.node)?.[1]);
    for (const from of args(all, 'FROM')) expect(Number(/^node:(\d+)/.exec(from)?.[1]), from).toBeGreaterThanOrEqual(minimum);
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    expect(fromContext.length).toBeGreaterThan(0);
    for (const path of fromContext) {
      expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
      expect(ignored, path).not.toContain(path.replace(/\/$/, ''));
    }
  });

  it('compiles everything the build compiler config includes, with the package build script, before pruning dev dependencies', () => {
    for (const dir of tsconfigBuild.include) expect(fromContext, dir).toContain(dir);
    const runs = args(stages[0] ?? [], 'RUN').join(' && ');
    expect(pkg.scripts.build).toBeDefined();
    expect(runs).toContain('npm ci');
    expect(runs.indexOf('npm run build')).toBeGreaterThan(runs.indexOf('npm ci'));
    expect(runs.indexOf('npm prune --omit=dev')).toBeGreaterThan(runs.indexOf('npm run build'));
  });

  it('puts the package files in the image: compiled code from the build stage, runtime files from the repository', () => {
    const stageCopies = copies(runtime);
    const built = stageCopies.filter((c) => c.from !== undefined).flatMap((c) => c.sources.map((s) => s.replace(/^\/app\//, '')));
    const context = stageCopies.filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect([...built, ...context].sort()).toEqual([...pkg.files, 'package.json', 'node_modules'].sort());
    // Each lands where it is in the package (WORKDIR /app), which is where the gateway looks for it.
    for (const copy of stageCopies) expect(copy.destination.replace(/^\.\//, ''), copy.sources.join(' ')).toBe(copy.sources[0]?.replace(/^\/app\//, ''));
    // Nothing installs packages at run time: node_modules is the pruned one.
    expect(args(runtime, 'RUN').join(' ')).not.toMatch(/npm (ci|install|i )/);
  });

  it("runs the package's command as a user other than root", () => {
    const [cmd, ...extra] = args(runtime, 'CMD');
    expect(extra).toEqual([]);
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', pkg.bin[pkg.name]]);
    const users = args(runtime, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.findIndex((i) => i.op === 'USER')).toBeLessThan(runtime.findIndex((i) => i.op === 'CMD'));
  });

  it('sets only gateway options, listens on every interface, exposes its port and keeps the data directory on the volume', () => {
    const env = envOf(runtime);
    const known = OPTIONS.map((o) => o.env);
    for (const name of Object.keys(env)) if (name !== 'NODE_ENV') expect(known, name).toContain(name);
    expect(env[envName('host')]).toBe('0.0.0.0');
    expect(args(runtime, 'EXPOSE')).toEqual([env[envName('port')]]);
    expect(args(runtime, 'VOLUME')).toEqual([env[envName('dataDir')]]);
  });

  it('checks with node (slim images have no curl) a path the gateway answers 200, on the port it listens on', async () => {
    const [healthcheck = ''] = args(runtime, 'HEALTHCHECK');
    const [command, ...probe] = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 'CMD '.length)) as string[];
    expect(command).toBe('node');
    const script = probe.join(' ');
    expect(script).toContain(`process.env.${envName('port')}`);
    const path = /'(\/[a-z]+)'/.exec(script)?.[1] ?? '';
    expect(path).toBe('/healthz');
    const app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new OpsUpstreamDouble(), logger: false });
    try {
      expect((await app.inject({ url: path })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('keeps local state out of the build context', () => {
    for (const entry of ['node_modules', 'dist', '.git', DEFAULTS.dataDir]) expect(ignored).toContain(entry);
  });
});
