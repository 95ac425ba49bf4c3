/**
 * Generates a TypeScript client from openapi.yaml (openapi-typescript), type-checks a small
 * openapi-fetch client against it (tsc, strict) and runs it against a listening gateway.
 * Everything generated goes to test/generated-client/out/ (git-ignored).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';
import { buildTestApp, type TestApp } from '../rest/helpers.js';

const run = promisify(execFile);
const OUT_DIR = resolve(REPO_ROOT, 'test/generated-client/out');

/** The client a user would write against the generated types. */
const CLIENT_SOURCE = `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

export async function fetchBlockAndPeak(baseUrl: string) {
  // JSON media types only: application/json bodies and application/problem+json errors
  // (block resources also offer application/octet-stream).
  const client = createClient<paths, \`\${string}/\${string}json\`>({ baseUrl });
  const block = await client.GET('/v1/blocks/{height}', { params: { path: { height: 1 } } });
  if (block.data === undefined) throw new Error('no block');
  const headerHash: string = block.data.header_hash;
  const weight: string | number = block.data.block.reward_chain_block.weight;
  const isTransactionBlock: boolean = block.data.block.reward_chain_block.is_transaction_block;

  const peak = await client.GET('/v1/peak', { params: { query: { ints: 'string' } } });
  if (peak.data === undefined) throw new Error('no peak');
  const peakHeight: number = peak.data.height;

  const missing = await client.GET('/v1/blocks/{height}', { params: { path: { height: 1000000 } } });
  const problemCode: string | undefined = missing.error?.code;

  const range = await client.GET('/v1/headers', { params: { query: { start: 0, end: 3 } } });
  const rangeHashes: string[] = range.data?.blocks.map((b) => b.header_hash) ?? [];

  return { headerHash, weight, isTransactionBlock, peakHeight, missingStatus: missing.response.status, problemCode, rangeHashes };
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  files: ['client.ts', 'schema.d.ts'],
};

describe('generated TypeScript client', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    rmSync(OUT_DIR, { recursive: true, force: true });
    mkdirSync(OUT_DIR, { recursive: true });
    t = await buildTestApp();
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('generates types, type-checks a client and fetches a block and the peak', async () => {
    await run('npx', ['openapi-typescript', 'openapi.yaml', '-o', resolve(OUT_DIR, 'schema.d.ts')], { cwd: REPO_ROOT });
    writeFileSync(resolve(OUT_DIR, 'client.ts'), CLIENT_SOURCE);
    writeFileSync(resolve(OUT_DIR, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    await run('npx', ['tsc', '-p', resolve(OUT_DIR, 'tsconfig.json')], { cwd: REPO_ROOT }).catch(
      (error: { stdout: string }) => {
        throw new Error(`the client does not type-check against the generated types:\n${error.stdout}`);
      },
    );

    const client = (await import(pathToFileURL(resolve(OUT_DIR, 'client.ts')).href)) as {
      fetchBlockAndPeak(baseUrl: string): Promise<Record<string, unknown>>;
    };
    const result = await client.fetchBlockAndPeak(baseUrl);
    expect(result).toEqual({
      headerHash: '0x7357071bb77de2e98b9b1daf6b87f67dd8481fa144bcc03d331dba8664fc04f9',
      weight: '14',
      isTransactionBlock: true,
      peakHeight: 63,
      missingStatus: 404,
      problemCode: 'ABOVE_PEAK',
      rangeHashes: [
        '0xd780d22c7a87c9e01d98b49a0910f6701c3b95015741316b3fda042e5d7b81d2',
        '0x7357071bb77de2e98b9b1daf6b87f67dd8481fa144bcc03d331dba8664fc04f9',
        '0x160462e7985c871768be1d2cdd583f12c519cd5a60b3679ee5ecb04f76547433',
      ],
    });
  }, 180_000);
});
