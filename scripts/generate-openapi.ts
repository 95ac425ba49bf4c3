/**
 * Writes openapi.yaml (OpenAPI 3.1) from the route schemas: builds the app over an upstream that never
 * connects, asks @fastify/swagger for the document and renders it as YAML. `npm run openapi`; a test
 * regenerates it in memory and fails when the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { buildApp } from '../src/app.js';
import { configWith } from '../src/config/config.js';
import { type Upstream, type UpstreamStatus, UpstreamError } from '../src/chia/index.js';

export const OPENAPI_PATH = resolve(fileURLToPath(new URL('..', import.meta.url)), 'openapi.yaml');

/** An upstream with no links: the spec depends on the routes only. */
function offlineUpstream(): Upstream {
  const unavailable = async (): Promise<never> => {
    throw new UpstreamError('NO_READY_LINK', 'offline');
  };
  const status: UpstreamStatus = { network: 'mainnet', roles: ['full_node', 'wallet'], links: [], peak: null };
  return {
    start: async () => undefined,
    close: async () => undefined,
    getBlocks: unavailable,
    getHeaderBlocks: unavailable,
    getAdditions: unavailable,
    getRemovals: unavailable,
    getCoinStates: unavailable,
    getPuzzleStatePage: unavailable,
    getChildren: unavailable,
    getPuzzleSolution: unavailable,
    sendTransaction: unavailable,
    getFeeEstimates: unavailable,
    watch: () => () => undefined,
    coinWatchStatus: () => ({ puzzle_hashes: 0, coin_ids: 0, pending: 0, links: [], messages: {} }),
    peak: () => null,
    status: () => status,
    isReady: () => false,
    on: () => undefined,
    off: () => undefined,
  };
}

/** The OpenAPI document of the app, as YAML text. */
export async function renderOpenApi(): Promise<string> {
  const app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: offlineUpstream(), logger: false });
  try {
    await app.ready();
    return YAML.stringify(app.swagger(), { lineWidth: 0, aliasDuplicateObjects: false });
  } finally {
    await app.close();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_PATH, await renderOpenApi());
  console.log(`wrote ${OPENAPI_PATH}`);
}
