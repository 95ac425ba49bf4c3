/**
 * The chain methods of the node-RPC face over the in-memory upstream (real mainnet blocks), compared
 * field for field with the node RPC's own answers in fixtures/real/mainnet/ (rpc/ examples, the node's
 * block JSON and coin records of heights 0–63).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  coinId,
  fromHex,
  headerHash,
  parseJson,
  sha256,
  toHex,
  types,
  type Coin,
  type CoinStatesRead,
  type FetchedBlock,
  type HeaderBlock,
  type RespondAdditions,
  type RespondRemovals,
} from '../../src/chia/index.js';
import { fixtureFile } from '../../fixtures/files.js';
import { MEMORY_CHAIN_LENGTH, MEMORY_PEER, MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';
import { buildTestApp, type TestApp } from '../support/rest-helpers.js';

type Json = Record<string, unknown>;

/** Fields a 2.6 node writes that the (older) documentation examples lack, with their legacy values (PROTOCOL.md §f.4). */
const NODE_26_FIELDS: Record<string, unknown> = { version: 0, plot_index: 0, meta_group: 0, strength: 0, header_mmr_root: null, transactions_generator_buffer: null };

/** A block as the older node wrote it: the 2.6 fields removed, after checking they hold their legacy values. */
function legacyLayout(block: Json): Json {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    const out: Json = {};
    for (const [key, field] of Object.entries(value)) {
      if (key in NODE_26_FIELDS) expect(field).toEqual(NODE_26_FIELDS[key]);
      else out[key] = strip(field);
    }
    return out;
  };
  return strip(block) as Json;
}

const fixture = (...path: string[]) => parseJson(readFileSync(fixtureFile(...path), 'utf8')) as Json;

function storedBlock(path: string, height: number) {
  const bytes = new Uint8Array(readFileSync(fixtureFile('real/mainnet/rpc', path)));
  const value = types.FullBlock.decode(bytes);
  return { header_hash: toHex(headerHash(value)), full: { height, header_hash: toHex(headerHash(value)), bytes, value, peer: '127.0.0.1:8444' } };
}

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

async function rpc(name: string, body: unknown = {}, prefix = ''): Promise<Json> {
  const res = await t!.app.inject({ method: 'POST', url: `${prefix}/${name}`, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return { status: res.statusCode, ...(parseJson(res.body) as Json) };
}

describe('get_block', () => {
  it('answers a block the gateway has seen by its header hash, as the node does (914661, compacted)', async () => {
    const upstream = new MemoryUpstream();
    const block = storedBlock('fullblock_914661_compacted.bin', 10);
    upstream.replaceBlock(10, { full: block.full, header: upstream.blocks[10]!.header });
    t = await buildTestApp({ upstream });
    // Unseen yet: the node's "not found", without 0x.
    expect(await rpc('get_block', { header_hash: block.header_hash })).toEqual({
      status: 200,
      success: false,
      error: `Block ${block.header_hash.slice(2)} not found`,
    });
    await t.app.inject({ url: '/v1/blocks/10' });
    const answer = await rpc('get_block', { header_hash: block.header_hash.slice(2).toUpperCase() }, '/rpc');
    const node = fixture('real/mainnet/rpc/docs2026_get_block_914661_compacted.json');
    expect(answer.success).toBe(true);
    expect(legacyLayout(answer.block as Json)).toEqual(node.block);
  });

  it('answers the uncompacted 914661 as the node did before its proofs were compacted', async () => {
    const upstream = new MemoryUpstream();
    const block = storedBlock('fullblock_914661_uncompacted.bin', 12);
    upstream.replaceBlock(12, { full: block.full, header: upstream.blocks[12]!.header });
    t = await buildTestApp({ upstream });
    await t.app.inject({ url: '/v1/blocks/12' });
    const answer = await rpc('get_block', { header_hash: block.header_hash });
    expect(legacyLayout(answer.block as Json)).toEqual(fixture('real/mainnet/rpc/docs2021_get_block_914661.json').block);
  });

  it("answers the node's errors for a missing or malformed header_hash", async () => {
    t = await buildTestApp();
    expect(await rpc('get_block')).toEqual({ status: 200, success: false, error: 'No header_hash in request' });
    const bad = await rpc('get_block', { header_hash: 'zz' });
    expect(bad).toMatchObject({ status: 200, success: false });
    expect(bad.error).toMatch(/header_hash must be 32 bytes of hex/);
  });

  it('finds the peak by its header hash, and no longer a block a reorg replaced', async () => {
    const upstream = new MemoryUpstream();
    t = await buildTestApp({ upstream });
    const peak = upstream.peak()!;
    expect(await rpc('get_block', { header_hash: peak.header_hash })).toMatchObject({ success: true });
    const replaced = upstream.blocks[62]!.full.header_hash;
    expect(await rpc('get_block', { header_hash: replaced })).toMatchObject({ success: true });
    upstream.replaceBlock(62, upstream.blocks[40]!);
    upstream.setPeak(upstream.peakAt(62, 61));
    expect(await rpc('get_block', { header_hash: replaced })).toEqual({ status: 200, success: false, error: `Block ${replaced.slice(2)} not found` });
  });

  it('answers no ready link with its catalogue code and status', async () => {
    const upstream = new MemoryUpstream({ peakHeight: null });
    upstream.ready.full_node = false;
    t = await buildTestApp({ upstream });
    const answer = await rpc('get_block', { header_hash: `0x${'11'.repeat(32)}` });
    expect(answer).toMatchObject({ status: 503, success: false, code: 'NO_READY_LINK' });
  });
});

describe('get_blocks', () => {
  /** The in-memory chain extended to height 101, with the real blocks 100 and 101. */
  function chainTo101(): MemoryUpstream {
    const upstream = new MemoryUpstream();
    for (let height = MEMORY_CHAIN_LENGTH; height < 100; height++) upstream.replaceBlock(height, upstream.blocks[MEMORY_CHAIN_LENGTH - 1]!);
    for (const [height, file] of [[100, 'fullblock_000100.bin'], [101, 'fullblock_000101.bin']] as const) {
      upstream.replaceBlock(height, { full: storedBlock(file, height).full, header: upstream.blocks[0]!.header });
    }
    upstream.setPeak(upstream.peakAt(101, 63));
    return upstream;
  }

  it('answers heights 100–101 as the node does, with each header_hash (no 0x) unless excluded', async () => {
    t = await buildTestApp({ upstream: chainTo101() });
    const node = fixture('real/mainnet/rpc/docs2026_get_blocks_100_101.json');
    const excluded = await rpc('get_blocks', { start: 100, end: 102, exclude_header_hash: true });
    expect((excluded.blocks as Json[]).map(legacyLayout)).toEqual(node.blocks);
    const withHash = await rpc('get_blocks', { start: '100', end: 102, exclude_reorged: true });
    expect((withHash.blocks as Json[]).map((b) => b.header_hash)).toEqual([
      storedBlock('fullblock_000100.bin', 100).header_hash.slice(2),
      storedBlock('fullblock_000101.bin', 101).header_hash.slice(2),
    ]);
  });

  it('gives no block for heights without one, refuses more than 100, and answers missing parameters in the node wording', async () => {
    t = await buildTestApp();
    expect(await rpc('get_blocks', { start: 70, end: 80 })).toEqual({ status: 200, blocks: [], success: true });
    expect(await rpc('get_blocks', { start: 5, end: 5 })).toEqual({ status: 200, blocks: [], success: true });
    expect(((await rpc('get_blocks', { start: 60, end: 1000 })).blocks as Json[]).length).toBe(4);
    expect(await rpc('get_blocks', { end: 3 })).toEqual({ status: 200, success: false, error: 'No start in request' });
    expect(await rpc('get_blocks', { start: 3 })).toEqual({ status: 200, success: false, error: 'No end in request' });
    expect(await rpcError({ start: -1, end: 3 })).toMatch(/start must be a height/);
    expect(await rpcError({ start: 0, end: 3, exclude_header_hash: 'yes' })).toMatch(/exclude_header_hash must be true or false/);
  });

  it('refuses more than 100 blocks at once', async () => {
    t = await buildTestApp({ upstream: chainTo101() });
    expect(await rpcError({ start: 0, end: 200 })).toBe('Too many blocks requested: 102, at most 100 per call');
  });
});

/** The error of a get_blocks call that fails. */
async function rpcError(body: Json): Promise<string> {
  const answer = await rpc('get_blocks', body);
  expect(answer.success).toBe(false);
  return answer.error as string;
}

describe('get_blockchain_state', () => {
  it('fills the fields the peak and its header blocks give, from the node JSON of those blocks', async () => {
    t = await buildTestApp();
    const answer = await rpc('get_blockchain_state');
    const state = answer.blockchain_state as Json;
    const block = (height: number) => fixture('real/mainnet/full-json', `${String(height).padStart(6, '0')}.json`);
    const peak = block(63);
    const rcb = peak.reward_chain_block as Json;
    const foliage = peak.foliage as Json;
    const data = foliage.foliage_block_data as Json;
    const ftb = peak.foliage_transaction_block as Json | null;
    const info = peak.transactions_info as Json | null;
    expect(state.peak).toEqual({
      header_hash: t.upstream.peak()!.header_hash,
      prev_hash: foliage.prev_block_hash,
      height: 63,
      weight: rcb.weight,
      total_iters: rcb.total_iters,
      signage_point_index: rcb.signage_point_index,
      challenge_vdf_output: (rcb.challenge_chain_ip_vdf as Json).output,
      infused_challenge_vdf_output: (rcb.infused_challenge_chain_ip_vdf as Json | null)?.output ?? null,
      pool_puzzle_hash: (data.pool_target as Json).puzzle_hash,
      farmer_puzzle_hash: data.farmer_reward_puzzle_hash,
      timestamp: ftb?.timestamp ?? null,
      prev_transaction_block_hash: ftb?.prev_transaction_block_hash ?? null,
      fees: info?.fees ?? null,
      reward_claims_incorporated: info?.reward_claims_incorporated ?? null,
    });
    // The node's difficulty: the peak's weight less its parent's.
    expect(state.difficulty).toBe((rcb.weight as number) - ((block(62).reward_chain_block as Json).weight as number));
    // The node's average block time: between the transaction blocks nearest the peak and nearest height 1.
    const transactionAtOrBelow = (from: number) => {
      for (let h = from; ; h--) if (block(h).foliage_transaction_block !== null) return { h, ts: (block(h).foliage_transaction_block as Json).timestamp as number };
    };
    const newer = transactionAtOrBelow(63);
    const older = transactionAtOrBelow(1);
    expect(state.average_block_time).toBe(Math.trunc((newer.ts - older.ts) / (newer.h - older.h)));
    expect(state).toMatchObject({
      genesis_challenge_initialized: true,
      sync: { sync_mode: false, synced: true, sync_tip_height: 0, sync_progress_height: 0 },
      block_max_cost: 11_000_000_000,
    });
    // What only a validating node or its mempool knows is left out, not invented.
    for (const absent of ['sub_slot_iters', 'space', 'mempool_size', 'mempool_cost', 'mempool_fees', 'mempool_min_fees', 'mempool_max_total_cost', 'node_id']) {
      expect(state).not.toHaveProperty(absent);
    }
  });

  it('answers no peak yet with its catalogue code and Retry-After', async () => {
    t = await buildTestApp({ upstream: new MemoryUpstream({ peakHeight: null }) });
    const res = await t.app.inject({ method: 'POST', url: '/get_blockchain_state' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json()).toMatchObject({ success: false, code: 'NO_PEAK' });
  });
});

describe('get_additions_and_removals', () => {
  it("answers a block's created coins as the node's coin records (heights 0–63)", async () => {
    t = await buildTestApp();
    const records = (fixture('real/mainnet/coin_records_0_63.json').coin_records as Json[]).map(({ _coin_id, ...record }) => record);
    const height = records[records.length - 1]!.confirmed_block_index as number;
    const expected = records.filter((r) => r.confirmed_block_index === height);
    expect(expected.length).toBeGreaterThan(0);
    const hash = t.upstream.blocks[height]!.full.header_hash;
    await t.app.inject({ url: `/v1/blocks/${height}/header` });
    const answer = await rpc('get_additions_and_removals', { header_hash: hash });
    const byId = (list: Json[]) => [...list].sort((a, b) => JSON.stringify(a.coin).localeCompare(JSON.stringify(b.coin)));
    expect(byId(answer.additions as Json[])).toEqual(byId(expected));
    expect(answer.removals).toEqual([]);
  });

  it('answers a non-transaction block with no coins, an unseen hash with not found, a missing one in the node wording', async () => {
    t = await buildTestApp();
    const plain = t.upstream.blocks.findIndex((b) => !b.full.value.reward_chain_block.is_transaction_block);
    await t.app.inject({ url: `/v1/headers?start=0&end=64` });
    expect(await rpc('get_additions_and_removals', { header_hash: t.upstream.blocks[plain]!.full.header_hash })).toEqual({
      status: 200,
      additions: [],
      removals: [],
      success: true,
    });
    expect(await rpc('get_additions_and_removals', { header_hash: '22'.repeat(32) })).toEqual({ status: 200, success: false, error: `Block ${'22'.repeat(32)} not found` });
    expect(await rpc('get_additions_and_removals')).toEqual({ status: 200, success: false, error: 'No header_hash in request' });
  });
});

describe('get_routes and unsupported methods', () => {
  it('lists the methods it answers, and refuses the others with their reason', async () => {
    t = await buildTestApp();
    const routes = (await rpc('get_routes')).routes as string[];
    expect(routes).toEqual(expect.arrayContaining(['/get_blockchain_state', '/get_block', '/get_blocks', '/get_additions_and_removals', '/get_network_info', '/get_routes']));
    expect(await rpc('get_block_record_by_height', { height: 1 })).toMatchObject({ status: 200, success: false, error: expect.stringMatching(/^get_block_record_by_height is not supported by this gateway: a block record holds/) });
    expect(await rpc('get_all_mempool_items')).toMatchObject({ success: false, error: expect.stringMatching(/mempool/) });
  });
});

describe('the header index bound (CHIA_GATEWAY_HEADER_INDEX_SIZE)', () => {
  it('forgets the oldest hashes beyond it: a block seen long ago is then not found', async () => {
    t = await buildTestApp({ config: { headerIndexSize: 40 } });
    await t.app.inject({ url: '/v1/blocks?start=0&end=64' });
    expect(t.app.headerIndex.size).toBe(40);
    const early = t.upstream.blocks[0]!.full.header_hash;
    expect(await rpc('get_block', { header_hash: early })).toMatchObject({ success: false, error: `Block ${early.slice(2)} not found` });
    expect(await rpc('get_block', { header_hash: t.upstream.blocks[60]!.full.header_hash })).toMatchObject({ success: true });
  });
});

describe('get_additions_and_removals of block 3339504 (the node RPC example)', () => {
  interface NodeRecord {
    coin: { parent_coin_info: string; puzzle_hash: string; amount: number | bigint };
    confirmed_block_index: number;
    spent_block_index: number;
    timestamp: number;
  }
  const HEIGHT = 3_339_504;
  const node = fixture('real/mainnet/rpc/docs2026_get_additions_and_removals_3339504.json') as unknown as { additions: NodeRecord[]; removals: NodeRecord[] };
  const all = [...node.additions, ...node.removals];
  const coinOf = (r: NodeRecord): Coin => ({ parent_coin_info: fromHex(r.coin.parent_coin_info), puzzle_hash: fromHex(r.coin.puzzle_hash), amount: BigInt(r.coin.amount) });
  /** The timestamp the node stores for each block that created one of these coins. */
  const timestamps = new Map(all.map((r) => [r.confirmed_block_index, BigInt(r.timestamp)]));
  const hashAt = (height: number) => toHex(sha256(new TextEncoder().encode(`block ${height}`)));

  /**
   * A peer at a chain whose blocks around these heights are transaction blocks (a real header block
   * relabelled, with the timestamp the node recorded), holding the example's coins with their states.
   */
  class ExampleChain extends MemoryUpstream {
    constructor() {
      super();
      this.setPeak({ height: HEIGHT + 10, header_hash: hashAt(HEIGHT + 10), weight: 1n, fork_point_with_previous_peak: 0, peers: [MEMORY_PEER], received_at: Date.now() });
    }

    override async getHeaderBlocks(start: number, end: number): Promise<FetchedBlock<HeaderBlock>[]> {
      const template = this.blocks.find((b) => b.header.value.foliage_transaction_block !== null)!.header.value;
      const blocks: FetchedBlock<HeaderBlock>[] = [];
      for (let height = start; height <= end; height++) {
        const value: HeaderBlock = { ...template, foliage_transaction_block: { ...template.foliage_transaction_block!, timestamp: timestamps.get(height) ?? 0n } };
        const bytes = types.HeaderBlock.encode(value);
        blocks.push({ height, header_hash: hashAt(height), bytes, value: types.HeaderBlock.decode(bytes), peer: MEMORY_PEER });
      }
      return blocks;
    }

    override async getAdditions(height: number): Promise<RespondAdditions> {
      return { height, header_hash: fromHex(hashAt(height)), coins: node.additions.map((r) => [fromHex(r.coin.puzzle_hash), [coinOf(r)]]), proofs: null };
    }

    override async getRemovals(height: number): Promise<RespondRemovals> {
      return { height, header_hash: fromHex(hashAt(height)), coins: node.removals.map((r) => [coinId(coinOf(r)), coinOf(r)]), proofs: null };
    }

    override async getCoinStates(coinIds: string[]): Promise<CoinStatesRead> {
      const states = all
        .filter((r) => coinIds.includes(toHex(coinId(coinOf(r)))))
        .map((r) => ({ coin: coinOf(r), created_height: r.confirmed_block_index, spent_height: r.spent_block_index === 0 ? null : r.spent_block_index }));
      return { coin_states: states, at: { height: HEIGHT + 10, header_hash: hashAt(HEIGHT + 10) }, peer: MEMORY_PEER };
    }
  }

  it('answers the same coin records as the node, field for field', async () => {
    t = await buildTestApp({ upstream: new ExampleChain() });
    await t.app.inject({ url: `/v1/blocks/${HEIGHT}/header` });
    const answer = await rpc('get_additions_and_removals', { header_hash: hashAt(HEIGHT) });
    expect(answer.success).toBe(true);
    // The node lists them in its database's order, the gateway in the peer's: compare as sets.
    const key = (r: Json) => {
      const coin = r.coin as NodeRecord['coin'];
      return `${coin.parent_coin_info}${coin.puzzle_hash}${String(coin.amount)}`;
    };
    const sorted = (list: unknown) => [...(list as Json[])].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(answer.additions)).toEqual(sorted(node.additions));
    expect(sorted(answer.removals)).toEqual(sorted(node.removals));
  });
});
