/**
 * Every body shape a route can send, checked against the response schema the route documents, in both
 * int renderings (`ints=string`, `ints=number`): full and header blocks of real chains rendered by the
 * codec (fixtures/real: mainnet 0–63, testnet10, more) one by one and as ranges, additions and
 * removals, the peak, status, readiness, health, metrics, problem+json errors, and the live stream's
 * messages. Objects are checked closed, so the hand-written schemas cannot drift from what is sent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { fromHex, headerHash, toHex, types, type FullBlock, type HeaderBlock, type JsonMode } from '../../src/chia/codec/index.js';
import { loadVectors } from '../chia/codec/corpus.js';
import { MEMORY_CHAIN_LENGTH, MEMORY_PEER, MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';
import { coinOfRecord, loadMainnetCoinRecords } from '../../fake-node/in-memory/memory-coin-set.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';
import { fixtureFile } from '../../fixtures/files.js';
import { ResponseSchemas } from '../support/response-schemas.js';
import { MemorySink } from '../live/memory-sink.js';
import { configWith } from '../../src/config/config.js';

const INTS = ['string', 'number'] as const;
const PEAK = MEMORY_CHAIN_LENGTH - 1;
/** Far above the memory chain's peak. */
const ABOVE_PEAK = 1_000;

type StoredBlock = Parameters<MemoryUpstream['replaceBlock']>[1];

const apps: GatewayApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function appOver(upstream: MemoryUpstream | OpsUpstreamDouble, config: Parameters<typeof configWith>[0] = {}) {
  const app = await buildApp({ config: configWith({ logLevel: 'silent', ...config }), upstream, logger: false });
  apps.push(app);
  await app.ready();
  return { app, schemas: new ResponseSchemas(app) };
}

/** The real blocks beyond mainnet 0–63, as bytes: testnet10 (generators up to 110 KB) and fixtures/real/more. */
function moreBlocks(): { full: Uint8Array[]; header: Uint8Array[] } {
  const read = (...parts: string[]) => new Uint8Array(readFileSync(fixtureFile('real', ...parts)));
  const testnet = readdirSync(fixtureFile('real', 'testnet10'));
  const cases = (JSON.parse(readFileSync(fixtureFile('real', 'more', 'cases.json'), 'utf8')) as { cases: { kind: string; bytes: string }[] }).cases;
  // A RespondBlock's only field is its FullBlock: the payload is the block's bytes.
  const fullCases = cases.filter((c) => c.kind === 'full_block' || c.kind === 'respond_block');
  return {
    full: [
      ...testnet.filter((f) => f.startsWith('fullblock_')).map((f) => read('testnet10', f)),
      ...fullCases.map((c) => read('more', c.bytes)),
    ],
    header: [
      ...testnet.filter((f) => f.startsWith('headerblock_')).map((f) => read('testnet10', f)),
      ...cases.filter((c) => c.kind === 'header_block').map((c) => read('more', c.bytes)),
    ],
  };
}

/** A memory upstream serving the blocks of `moreBlocks()` from height 0 up (mainnet blocks above them). */
function upstreamWithMoreBlocks(): { upstream: MemoryUpstream; count: number } {
  const upstream = new MemoryUpstream();
  const { full, header } = moreBlocks();
  full.forEach((bytes, height) => {
    const value = types.FullBlock.decode(bytes);
    const stored = upstream.blocks[height] as StoredBlock;
    const headerBytes = header[height];
    const headerValue = headerBytes === undefined ? undefined : types.HeaderBlock.decode(headerBytes);
    upstream.replaceBlock(height, {
      full: { height, header_hash: toHex(headerHash(value)), bytes, value, peer: MEMORY_PEER },
      header:
        headerBytes === undefined || headerValue === undefined
          ? stored.header
          : { height, header_hash: toHex(headerHash(headerValue)), bytes: headerBytes, value: headerValue, peer: MEMORY_PEER },
    });
  });
  return { upstream, count: full.length };
}

/** GETs `url` in both int renderings and checks each answer against `route`'s documented schema. */
async function checkBothInts(app: GatewayApp, schemas: ResponseSchemas, route: string, url: string, status = 200): Promise<void> {
  for (const ints of INTS) {
    const response = await app.inject(`${url}${url.includes('?') ? '&' : '?'}ints=${ints}`);
    expect(response.statusCode, `${url} ints=${ints}: ${response.body.slice(0, 300)}`).toBe(status);
    schemas.check(route, response);
  }
}

describe('response bodies fit their route schemas', () => {
  it('full and header blocks of mainnet 0–63, one by one, as ranges and as bytes', async () => {
    const { app, schemas } = await appOver(new MemoryUpstream());
    for (let height = 0; height <= PEAK; height++) {
      await checkBothInts(app, schemas, '/v1/blocks/{height}', `/v1/blocks/${height}`);
      await checkBothInts(app, schemas, '/v1/blocks/{height}/header', `/v1/blocks/${height}/header`);
    }
    await checkBothInts(app, schemas, '/v1/blocks', `/v1/blocks?start=0&end=${PEAK + 1}`);
    await checkBothInts(app, schemas, '/v1/headers', `/v1/headers?start=0&end=${PEAK + 1}`);
    const bytes = { accept: 'application/octet-stream' };
    schemas.check('/v1/blocks/{height}', await app.inject({ url: '/v1/blocks/1', headers: bytes }));
    schemas.check('/v1/blocks', await app.inject({ url: '/v1/blocks?start=0&end=2', headers: bytes }));
    schemas.check('/v1/blocks/{height}/header', await app.inject({ url: '/v1/blocks/1/header', headers: bytes }));
    schemas.check('/v1/headers', await app.inject({ url: '/v1/headers?start=0&end=2', headers: bytes }));
    const etag = (await app.inject('/v1/blocks/1')).headers.etag;
    schemas.check('/v1/blocks/{height}', await app.inject({ url: '/v1/blocks/1', headers: { 'if-none-match': String(etag) } }));
  });

  it('full and header blocks of testnet10 and fixtures/real/more (large generators, compacted proofs, post-fork)', async () => {
    const { upstream, count } = upstreamWithMoreBlocks();
    const { app, schemas } = await appOver(upstream);
    for (let height = 0; height < count; height++) {
      await checkBothInts(app, schemas, '/v1/blocks/{height}', `/v1/blocks/${height}`);
      await checkBothInts(app, schemas, '/v1/blocks/{height}/header', `/v1/blocks/${height}/header`);
    }
    // Past STREAM_ABOVE_BYTES: the range body is streamed from its parts.
    await checkBothInts(app, schemas, '/v1/blocks', `/v1/blocks?start=0&end=${count}`);
    await checkBothInts(app, schemas, '/v1/headers', `/v1/headers?start=0&end=${count}`);
  });

  it('blocks in the current layouts (the reference vectors: version fields, v2 proofs of space)', async () => {
    const { schemas } = await appOver(new MemoryUpstream());
    const full: FullBlock[] = [];
    const header: HeaderBlock[] = [];
    for (const vector of loadVectors()) {
      const bytes = fromHex(vector.hex);
      if (vector.class === 'RespondBlock') full.push(types.RespondBlock.decode(bytes).block);
      if (vector.class === 'RespondBlocks') full.push(...types.RespondBlocks.decode(bytes).blocks);
      if (vector.class === 'RespondBlockHeader') header.push(types.RespondBlockHeader.decode(bytes).header_block);
      if (vector.class === 'RespondBlockHeaders') header.push(...types.RespondBlockHeaders.decode(bytes).header_blocks);
      if (vector.class === 'RespondHeaderBlocks') header.push(...types.RespondHeaderBlocks.decode(bytes).header_blocks);
    }
    expect(full.length).toBeGreaterThan(0);
    expect(header.length).toBeGreaterThan(0);
    for (const mode of ['safe', 'chia'] satisfies JsonMode[]) {
      for (const block of full) schemas.checkComponent('FullBlock', JSON.parse(types.FullBlock.toJsonText(block, mode)));
      for (const block of header) schemas.checkComponent('HeaderBlock', JSON.parse(types.HeaderBlock.toJsonText(block, mode)));
    }
  });

  it('additions and removals of every block (the prefarm coin is beyond 2^63)', async () => {
    const { app, schemas } = await appOver(new MemoryUpstream());
    for (let height = 0; height <= PEAK; height++) {
      await checkBothInts(app, schemas, '/v1/blocks/{height}/additions', `/v1/blocks/${height}/additions`);
      await checkBothInts(app, schemas, '/v1/blocks/{height}/removals', `/v1/blocks/${height}/removals`);
    }
  });

  it('coin records, query pages, children, spends, transactions and fees', async () => {
    const upstream = new MemoryUpstream();
    const records = loadMainnetCoinRecords();
    const spent = records[0]!._coin_id;
    upstream.coins.spend(spent, 50, new Uint8Array([0x80]), new Uint8Array([0x80]));
    upstream.coins.add({ ...coinOfRecord(records[1]!), parent_coin_info: fromHex(spent), amount: 1n }, 50);
    const { app, schemas } = await appOver(upstream);
    for (const record of records) await checkBothInts(app, schemas, '/v1/coins/{coin_id}', `/v1/coins/${record._coin_id}`);
    await checkBothInts(app, schemas, '/v1/coins/{coin_id}/children', `/v1/coins/${spent}/children`);
    await checkBothInts(app, schemas, '/v1/coins/{coin_id}/spend', `/v1/coins/${spent}/spend`);
    await checkBothInts(app, schemas, '/v1/fees', '/v1/fees?target_times=60,300');
    for (const ints of INTS) {
      const payload = { puzzle_hashes: records.map((r) => r.coin.puzzle_hash).slice(0, 40), coin_ids: [spent] };
      schemas.check('/v1/coins/query', await app.inject({ method: 'POST', url: `/v1/coins/query?ints=${ints}`, payload }), 'post');
    }
    const bundle = { coin_spends: [{ coin: coinOfRecord(records[3]!), puzzle_reveal: new Uint8Array([0x80]), solution: new Uint8Array([0x80]) }], aggregated_signature: new Uint8Array(96) };
    const pushed = await app.inject({ method: 'POST', url: '/v1/transactions', payload: { spend_bundle: types.SpendBundle.toJson(bundle) } });
    expect(pushed.statusCode).toBe(200);
    schemas.check('/v1/transactions', pushed, 'post');
  });

  it('the peak, status, readiness, health and metrics', async () => {
    const { app, schemas } = await appOver(new MemoryUpstream());
    await checkBothInts(app, schemas, '/v1/peak', '/v1/peak');
    schemas.check('/v1/status', await app.inject('/v1/status'));
    schemas.check('/readyz', await app.inject('/readyz'));
    schemas.check('/healthz', await app.inject('/healthz'));
    schemas.check('/metrics', await app.inject('/metrics'));

    const ops = new OpsUpstreamDouble();
    const notReady = await appOver(ops);
    ops.setLink('full_node#1', 'full_node', 'reconnecting', {
      last_error: 'connect ECONNREFUSED',
      retry: { cause: 'failed', at: Date.now() + 1_000, in_ms: 1_000, reason: 'backoff after a failed connection' },
    });
    ops.setLink('wallet#1', 'wallet', 'idle', { peer: '', retry: { cause: 'no_peer', at: Date.now(), in_ms: 0, reason: 'no peer is free' } });
    ops.setPeak(10, Date.now() - 3_600_000);
    for (const url of ['/readyz', '/v1/status']) notReady.schemas.check(url, await notReady.app.inject(url));
  });

  it('problem+json errors of every route', async () => {
    const upstream = new MemoryUpstream();
    const { app, schemas } = await appOver(upstream);
    const tx = upstream.blocks.findIndex((b) => b.full.value.reward_chain_block.is_transaction_block);
    const routes: [route: string, url: (h: number | string) => string, method: 'getBlocks' | 'getHeaderBlocks' | 'getAdditions' | 'getRemovals'][] = [
      ['/v1/blocks/{height}', (h) => `/v1/blocks/${h}`, 'getBlocks'],
      ['/v1/blocks', (h) => `/v1/blocks?start=${h}&end=${typeof h === 'number' ? h + 1 : 1}`, 'getBlocks'],
      ['/v1/blocks/{height}/header', (h) => `/v1/blocks/${h}/header`, 'getHeaderBlocks'],
      ['/v1/headers', (h) => `/v1/headers?start=${h}&end=${typeof h === 'number' ? h + 1 : 1}`, 'getHeaderBlocks'],
      ['/v1/blocks/{height}/additions', (h) => `/v1/blocks/${h}/additions`, 'getAdditions'],
      ['/v1/blocks/{height}/removals', (h) => `/v1/blocks/${h}/removals`, 'getRemovals'],
    ];
    for (const [route, url, method] of routes) {
      const expectStatus = async (status: number, path: string, headers: Record<string, string> = {}) => {
        const response = await app.inject({ url: path, headers });
        expect(response.statusCode, `${path}: ${response.body}`).toBe(status);
        schemas.check(route, response);
      };
      await expectStatus(400, url('x'));
      await expectStatus(404, url(ABOVE_PEAK));
      await expectStatus(406, url(tx), { accept: 'text/html' });
      for (const [code, status] of [['UPSTREAM_INVALID_REPLY', 502], ['UPSTREAM_TIMEOUT', 504], ['PACING_QUEUE_FULL', 503]] as const) {
        upstream.failures.set(method, code);
        app.blockCache.clear();
        await expectStatus(status, url(tx));
        upstream.failures.delete(method);
      }
    }
    schemas.check('/v1/peak', await app.inject({ url: '/v1/peak', headers: { accept: 'text/html' } }));
    schemas.checkProblem(await app.inject('/nowhere'));
    schemas.checkProblem(await app.inject({ method: 'POST', url: '/v1/peak' }));

    const noPeak = await appOver(new MemoryUpstream({ peakHeight: null }));
    for (const [route, url] of [['/v1/peak', '/v1/peak'], ...routes.map(([r, u]) => [r, u(0)])] as const) {
      const response = await noPeak.app.inject(url);
      expect(response.statusCode, url).toBe(503);
      noPeak.schemas.check(route, response);
    }

    const limited = await appOver(new MemoryUpstream(), { rateLimitPerMinute: 1 });
    for (const [route, url] of [['/v1/peak', '/v1/peak'], ['/v1/status', '/v1/status'], ['/metrics', '/metrics'], ...routes.map(([r, u]) => [r, u(0)])] as const) {
      await limited.app.inject(url);
      const response = await limited.app.inject(url);
      expect(response.statusCode, url).toBe(429);
      limited.schemas.check(route, response);
    }
  });

  it('live stream messages: hello, peak, reorg', async () => {
    const upstream = new MemoryUpstream();
    const { app, schemas } = await appOver(upstream);
    const sink = new MemorySink();
    app.peakHub.attach(sink);
    const replacement = upstream.blocks[0] as StoredBlock;
    upstream.replaceBlock(PEAK, replacement);
    upstream.setPeak(upstream.peakAt(PEAK, PEAK - 2));
    expect(sink.types()).toEqual(['hello', 'reorg', 'peak']);
    for (const message of sink.messages) schemas.checkComponent('LiveServerMessage', message);
  });
});
