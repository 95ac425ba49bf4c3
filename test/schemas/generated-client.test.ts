/**
 * Generates TypeScript clients from openapi.yaml with two independent generators, type-checks a small
 * client written against each (tsc, strict) and runs it against a listening gateway:
 * - openapi-typescript (types) + openapi-fetch (runtime);
 * - @hey-api/openapi-ts (types, SDK functions and a bundled fetch client: nothing to install beside it).
 * Both generators run from node_modules, offline. @hey-api/openapi-ts stays on 0.95.x, the last line
 * whose engines accept Node 20.19. Everything generated goes to test/generated-client/out/ (git-ignored).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../fixtures/files.js';
import { buildTestApp, type TestApp } from '../support/rest-helpers.js';

const run = promisify(execFile);
const OUT_DIR = resolve(REPO_ROOT, 'test/generated-client/out');
const GENERATE_TIMEOUT_MS = 180_000;

/** The client a user would write against openapi-typescript's types. */
const OPENAPI_FETCH_CLIENT = `import createClient from 'openapi-fetch';
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
  const rangeEnds = [range.response.headers.get('x-chia-first-header-hash'), range.response.headers.get('x-chia-last-header-hash')];

  const coins = await client.POST('/v1/coins/query', { body: { coin_ids: ['0x1fd60c070e821d785b65e10e5135e52d12c8f4d902a506f48bc1c5268b7bb45b'], include_spent: false } });
  const coinAmount: string | number | undefined = coins.data?.coin_records[0]?.coin.amount;

  return { headerHash, weight, isTransactionBlock, peakHeight, missingStatus: missing.response.status, problemCode, rangeHashes, rangeEnds, coinAmount };
}
`;

/** The same client written against @hey-api/openapi-ts's SDK. */
const HEY_API_CLIENT = `import { createClient, createConfig } from './sdk/client/index.js';
import { getBlock, getHeaderBlocks, getPeak, queryCoinRecords } from './sdk/sdk.gen.js';

export async function fetchBlockAndPeak(baseUrl: string) {
  const client = createClient(createConfig({ baseUrl }));
  const block = await getBlock({ client, path: { height: 1 } });
  if (block.data === undefined) throw new Error('no block');
  const headerHash: string = block.data.header_hash;
  const weight: string | number = block.data.block.reward_chain_block.weight;
  const isTransactionBlock: boolean = block.data.block.reward_chain_block.is_transaction_block;

  const peak = await getPeak({ client, query: { ints: 'string' } });
  if (peak.data === undefined) throw new Error('no peak');
  const peakHeight: number = peak.data.height;

  const missing = await getBlock({ client, path: { height: 1000000 } });
  const problemCode: string | undefined = missing.error?.code;

  const range = await getHeaderBlocks({ client, query: { start: 0, end: 3 } });
  const rangeHashes: string[] = range.data?.blocks.map((b) => b.header_hash) ?? [];
  const rangeEnds = [range.response.headers.get('x-chia-first-header-hash'), range.response.headers.get('x-chia-last-header-hash')];

  const coins = await queryCoinRecords({ client, body: { coin_ids: ['0x1fd60c070e821d785b65e10e5135e52d12c8f4d902a506f48bc1c5268b7bb45b'], include_spent: false } });
  const coinAmount: string | number | undefined = coins.data?.coin_records[0]?.coin.amount;

  return { headerHash, weight, isTransactionBlock, peakHeight, missingStatus: missing.response?.status, problemCode, rangeHashes, rangeEnds, coinAmount };
}
`;

/** What both clients must read from the test gateway (the mainnet blocks 0-63 of fixtures/real). */
const RANGE_HASHES = [
  '0xd780d22c7a87c9e01d98b49a0910f6701c3b95015741316b3fda042e5d7b81d2',
  '0x7357071bb77de2e98b9b1daf6b87f67dd8481fa144bcc03d331dba8664fc04f9',
  '0x160462e7985c871768be1d2cdd583f12c519cd5a60b3679ee5ecb04f76547433',
];
const EXPECTED = {
  headerHash: RANGE_HASHES[1],
  weight: '14',
  isTransactionBlock: true,
  peakHeight: 63,
  missingStatus: 404,
  problemCode: 'ABOVE_PEAK',
  coinAmount: '18375000000000000000',
  rangeHashes: RANGE_HASHES,
  rangeEnds: [RANGE_HASHES[0], RANGE_HASHES[2]],
};

/** Strict compiler options of a user's project (DOM.Iterable: the hey-api client iterates URLSearchParams). */
const COMPILER_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2023', 'DOM', 'DOM.Iterable'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};

/** Writes client.ts into `dir`, type-checks it with what was generated there, and runs it against `baseUrl`. */
async function checkAndRun(dir: string, source: string, baseUrl: string): Promise<Record<string, unknown>> {
  writeFileSync(resolve(dir, 'client.ts'), source);
  writeFileSync(resolve(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, include: ['**/*.ts'] }, null, 2));
  await run('npx', ['tsc', '-p', resolve(dir, 'tsconfig.json')], { cwd: REPO_ROOT }).catch((error: { stdout: string }) => {
    throw new Error(`the client does not type-check against the generated code:\n${error.stdout}`);
  });
  const client = (await import(pathToFileURL(resolve(dir, 'client.ts')).href)) as {
    fetchBlockAndPeak(baseUrl: string): Promise<Record<string, unknown>>;
  };
  return client.fetchBlockAndPeak(baseUrl);
}

/** A fresh empty output directory for one generator. */
function outDir(name: string): string {
  const dir = resolve(OUT_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('generated TypeScript clients', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await buildTestApp();
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it(
    'openapi-typescript + openapi-fetch: generates types, type-checks a client and fetches a block, the peak and a range',
    async () => {
      const dir = outDir('openapi-typescript');
      await run('npx', ['openapi-typescript', 'openapi.yaml', '-o', resolve(dir, 'schema.d.ts')], { cwd: REPO_ROOT });
      expect(await checkAndRun(dir, OPENAPI_FETCH_CLIENT, baseUrl)).toEqual(EXPECTED);
    },
    GENERATE_TIMEOUT_MS,
  );

  it(
    '@hey-api/openapi-ts: generates an SDK, type-checks a client and fetches a block, the peak and a range',
    async () => {
      const dir = outDir('hey-api');
      await run('npx', ['openapi-ts', '-i', 'openapi.yaml', '-o', resolve(dir, 'sdk'), '-c', '@hey-api/client-fetch'], { cwd: REPO_ROOT });
      expect(await checkAndRun(dir, HEY_API_CLIENT, baseUrl)).toEqual(EXPECTED);
    },
    GENERATE_TIMEOUT_MS,
  );
});
