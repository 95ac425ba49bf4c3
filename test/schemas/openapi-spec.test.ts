import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { OPENAPI_PATH, renderOpenApi } from '../../scripts/generate-openapi.js';
import { REPO_ROOT } from '../../fixtures/files.js';
import { buildTestApp } from '../support/rest-helpers.js';
import { DEFAULTS } from '../../src/config/config.js';
import { packageVersion } from '../../src/process/package-root.js';

const run = promisify(execFile);
/** Redocly needs no network for a local file; keep it quiet and offline. */
const QUIET_ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

interface Spec {
  openapi: string;
  info: { version: string };
  paths: Record<
    string,
    Record<string, { description?: string; responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>; parameters?: { name: string; in: string }[] }> & {
      get: { description?: string; responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>; parameters?: { name: string; in: string }[] };
    }
  >;
  components: { schemas: Record<string, unknown> };
}

const committedSpec = () => YAML.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Spec;

/** Every `description` string anywhere in the document, with where it is. */
function descriptions(node: unknown, path = ''): [string, string][] {
  if (Array.isArray(node)) return node.flatMap((x, i) => descriptions(x, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]): [string, string][] =>
    key === 'description' && typeof value === 'string' ? [[path, value]] : descriptions(value, `${path}/${key}`),
  );
}

/** The internal configuration paths (`ws.replaySize`, `peakMaxAgeMs`, …) that users cannot set by that name. */
function optionPaths(node: object, prefix = ''): string[] {
  return Object.entries(node).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? optionPaths(value as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

describe('openapi.yaml', () => {
  it('is up to date with the route schemas (run `npm run openapi` after changing them)', async () => {
    const generated = await renderOpenApi();
    expect(generated === readFileSync(OPENAPI_PATH, 'utf8'), 'openapi.yaml is stale: run npm run openapi').toBe(true);
  });

  it('describes the REST API: 3.1, problem+json errors, both renderings, octet-stream and caching headers', () => {
    const spec = YAML.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Spec;
    expect(spec.openapi).toBe('3.1.0');
    const block = spec.paths['/v1/blocks/{height}']?.get;
    expect(block?.parameters?.map((p) => p.name).sort()).toEqual(['height', 'ints']);
    expect(Object.keys(block?.responses ?? {}).sort()).toEqual(['200', '304', '400', '404', '406', '429', '502', '503', '504']);
    expect(Object.keys(block?.responses['200']?.content ?? {})).toEqual(['application/json', 'application/octet-stream']);
    expect(Object.keys(block?.responses['200']?.headers ?? {})).toEqual(['X-Chia-Header-Hash', 'ETag', 'Cache-Control']);
    expect(Object.keys(block?.responses['404']?.content ?? {})).toEqual(['application/problem+json']);
    // Ranges name their first and last header hash (one short line each), not the whole list.
    for (const range of ['/v1/blocks', '/v1/headers']) {
      expect(Object.keys(spec.paths[range]?.get.responses['200']?.headers ?? {}), range).toEqual([
        'X-Chia-First-Header-Hash',
        'X-Chia-Last-Header-Hash',
        'ETag',
        'Cache-Control',
      ]);
    }
    for (const path of ['/v1/peak', '/v1/blocks', '/v1/blocks/{height}/header', '/v1/headers', '/v1/blocks/{height}/additions', '/v1/blocks/{height}/removals', '/v1/status']) {
      expect(spec.paths[path], path).toBeDefined();
    }
    for (const name of ['FullBlock', 'HeaderBlock', 'Problem', 'BigUint', 'Peak', 'Status', 'Additions', 'Removals']) {
      expect(spec.components.schemas[name], name).toBeDefined();
    }
  });

  it('gives no operation two parameters that generators would turn into one identifier', () => {
    // e.g. the query `last_event_id` and the header `Last-Event-ID` both become `lastEventId`.
    const identifier = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
    for (const [path, item] of Object.entries(committedSpec().paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const names = (operation.parameters ?? []).map((p) => identifier(p.name));
        expect(names, `${method} ${path}`).toEqual([...new Set(names)]);
      }
    }
  });

  it('documents the Last-Event-ID header of /v1/events in its description, not as a parameter', () => {
    const events = committedSpec().paths['/v1/events']?.get;
    expect(events?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['query:coin_ids', 'query:cursor', 'query:last_event_id', 'query:puzzle_hashes', 'query:since']);
    expect(events?.description).toContain('`Last-Event-ID`');
  });

  it('lets a node-RPC method without required parameters be called with no body, as the node reads none as {}', () => {
    const bodyRequired = (path: string) => (committedSpec().paths[path]?.post as { requestBody?: { required?: boolean } } | undefined)?.requestBody?.required;
    for (const method of ['get_blockchain_state', 'get_network_info', 'get_routes']) expect(bodyRequired(`/${method}`), method).toBe(false);
    for (const method of ['get_blocks', 'get_coin_record_by_name', 'push_tx']) expect(bodyRequired(`/${method}`), method).toBe(true);
  });

  it('carries the package version', () => {
    expect(committedSpec().info.version).toBe(packageVersion());
  });

  it('names environment variables in its descriptions, not internal option paths', () => {
    const paths = optionPaths(DEFAULTS);
    // Dotted paths and camelCase keys anywhere; one-word keys (`confirmations`) when quoted as code.
    const internal = paths.filter((p) => p.includes('.') || /[A-Z]/.test(p)).concat(paths.map((p) => `\`${p}\``));
    const found = descriptions(committedSpec()).flatMap(([where, text]) =>
      internal.filter((p) => new RegExp(`(^|[^A-Za-z_.])${p.replace(/[.`]/g, (c) => `\\${c}`)}($|[^A-Za-z_])`).test(text)).map((p) => `${where}: ${p}`),
    );
    expect(found).toEqual([]);
  });

  it('is served at /openapi.json, with the interactive reference at /docs', async () => {
    const t = await buildTestApp();
    try {
      const json = await t.app.inject('/openapi.json');
      expect(json.statusCode).toBe(200);
      expect(json.json()).toEqual(YAML.parse(readFileSync(OPENAPI_PATH, 'utf8')));
      const docs = await t.app.inject('/docs/');
      expect(docs.statusCode).toBe(200);
      expect(docs.headers['content-type']).toContain('text/html');
      expect(docs.body).toContain('swagger-ui');
    } finally {
      await t.app.close();
    }
  });

  it('passes `redocly lint` with no errors', async () => {
    const { stdout, stderr } = await run('npx', ['@redocly/cli', 'lint', 'openapi.yaml', '--format=summary'], {
      cwd: REPO_ROOT,
      env: QUIET_ENV,
    }).catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`redocly lint failed:\n${error.stdout}\n${error.stderr}`);
    });
    expect(`${stdout}${stderr}`).toContain('Your API description is valid');
  }, 120_000);
});
