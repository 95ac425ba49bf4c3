/**
 * Node-RPC methods over the chain: the blockchain state, the network, blocks and their coins, answered
 * from the block cache (src/chain/) and the coin reads (src/coins/), the same services as /v1. A header
 * hash is resolved through the header index (src/chain/header-index.ts): the peers serve blocks by
 * height only.
 */
import type { FastifyInstance } from 'fastify';
import {
  BLOCKS_PER_DAY,
  MAX_BLOCK_COST_CLVM,
  MAX_COIN_STATE_IDS,
  OnBehalfOf,
  coinId,
  networkInfo,
  toHex,
  types,
  type ClientKey,
  type CoinState,
  type FullBlock,
  type HeaderBlock,
  type Peak,
} from '../chia/index.js';
import type { BlockKind, CachedBlock } from '../chain/block-cache.js';
import { ROLE_OF, clientOf, lookupBlock, lookupByHash, lookupRange, requirePeak } from '../chain/chain-lookup.js';
import { additionsOf, removalsOf, type CoinItem } from '../chain/coin-lists.js';
import { addressPrefix } from '../coins/addresses.js';
import { recordsOf } from '../coins/coin-records.js';
import { MAX_RANGE_BLOCKS, fromUpstream } from '../http/errors.js';
import { readinessOf } from '../metrics/readiness.js';
import {
  AdditionsAndRemovalsAnswer,
  BlockAnswer,
  BlockchainStateAnswer,
  BlocksAnswer,
  BlocksParams,
  HeaderHashParams,
  NetworkInfoAnswer,
  NoParams,
} from '../../schemas/node-rpc.js';
import { RpcError, type RpcMethod } from './rpc-method.js';
import { bareHex, flag, hash32, height, required } from './rpc-params.js';
import { nodeRecord } from './coin-methods.js';

type Block = FullBlock | HeaderBlock;

/** The kind of block the state reads: header blocks over wallet links when configured, else full blocks. */
function stateKind(app: FastifyInstance): BlockKind {
  return app.config.roles.includes('wallet') ? 'header' : 'full';
}

function decode(entry: CachedBlock): Block {
  return entry.kind === 'full' ? types.FullBlock.decode(entry.bytes) : types.HeaderBlock.decode(entry.bytes);
}

/** The node's answer to a header hash it does not hold. */
function notFound(headerHash: string): RpcError {
  return new RpcError(`Block ${bareHex(headerHash)} not found`);
}

/**
 * The fields of the node's BlockRecord that a block gives as they are (chia-blockchain
 * header_block_to_sub_block_record). Left out: those the node computes while validating the chain
 * (sub_slot_iters, required_iters, deficit, overflow, prev_transaction_block_height,
 * sub_epoch_summary_included) and the hashes of its parts (reward_infusion_new_challenge,
 * challenge_block_info_hash, finished_*_slot_hashes).
 */
function blockRecordFields(block: Block, headerHash: string, at: number) {
  const rcb = block.reward_chain_block;
  const ftb = block.foliage_transaction_block;
  const info = block.transactions_info;
  return {
    header_hash: headerHash,
    prev_hash: block.foliage.prev_block_hash,
    height: at,
    weight: rcb.weight,
    total_iters: rcb.total_iters,
    signage_point_index: rcb.signage_point_index,
    challenge_vdf_output: rcb.challenge_chain_ip_vdf.output,
    infused_challenge_vdf_output: rcb.infused_challenge_chain_ip_vdf?.output ?? null,
    pool_puzzle_hash: block.foliage.foliage_block_data.pool_target.puzzle_hash,
    farmer_puzzle_hash: block.foliage.foliage_block_data.farmer_reward_puzzle_hash,
    timestamp: ftb?.timestamp ?? null,
    prev_transaction_block_hash: ftb?.prev_transaction_block_hash ?? null,
    fees: info?.fees ?? null,
    reward_claims_incorporated: info?.reward_claims_incorporated ?? null,
  };
}

/** Reads main-chain blocks of one kind for one state answer, decoded once each. */
class ChainReader {
  readonly #decoded = new Map<number, Promise<{ entry: CachedBlock; block: Block }>>();

  constructor(
    private readonly app: FastifyInstance,
    readonly kind: BlockKind,
    readonly peak: Peak,
    private readonly client: ClientKey,
  ) {}

  at(at: number): Promise<{ entry: CachedBlock; block: Block }> {
    let read = this.#decoded.get(at);
    if (read === undefined) {
      read = Promise.resolve(lookupBlock(this.app.blockCache, this.kind, at, this.peak, this.client)).then((entry) => ({ entry, block: decode(entry) }));
      this.#decoded.set(at, read);
    }
    return read;
  }

  /** The transaction block at or below `from` (the genesis block is one), with its height. */
  async transactionBlockAtOrBelow(from: number): Promise<{ height: number; timestamp: bigint }> {
    for (let at = from; at >= 0; at--) {
      const { block } = await this.at(at);
      const timestamp = block.foliage_transaction_block?.timestamp;
      if (timestamp !== undefined) return { height: at, timestamp };
    }
    throw new RpcError(`no transaction block at or below height ${from}`);
  }
}

/**
 * The node's average block time (chia-blockchain get_average_block_time): seconds per block between the
 * transaction block nearest the peak and the one nearest a day of blocks before it; null (as the node
 * answers) while the chain is too short to have two.
 */
async function averageBlockTime(reader: ChainReader): Promise<number | null> {
  const newer = await reader.transactionBlockAtOrBelow(reader.peak.height);
  if (newer.height < 1) return null;
  const older = await reader.transactionBlockAtOrBelow(Math.max(1, newer.height - BLOCKS_PER_DAY));
  if (newer.height === older.height) return null;
  return Number((newer.timestamp - older.timestamp) / BigInt(newer.height - older.height));
}

async function blockchainState(app: FastifyInstance, client: ClientKey) {
  const kind = stateKind(app);
  const peak = requirePeak(app, ROLE_OF[kind]);
  const reader = new ChainReader(app, kind, peak, client);
  const { entry, block } = await reader.at(peak.height);
  const difficulty = peak.height > 0 ? { difficulty: block.reward_chain_block.weight - (await reader.at(peak.height - 1)).block.reward_chain_block.weight } : {};
  // The node's own null when its chain is too short (`peak.height > 1` there too).
  const average = peak.height > 1 ? await averageBlockTime(reader) : null;
  const known = networkInfo(app.config.network).genesisChallenge !== '';
  const ready = readinessOf(app.upstream, app.config);
  return {
    blockchain_state: {
      peak: blockRecordFields(block, entry.headerHash, entry.height),
      genesis_challenge_initialized: true,
      sync: { sync_mode: false, synced: ready.ready, sync_tip_height: 0, sync_progress_height: 0 },
      ...difficulty,
      average_block_time: average,
      // A consensus constant the gateway knows for mainnet and testnet11 only.
      ...(known ? { block_max_cost: MAX_BLOCK_COST_CLVM } : {}),
    },
  };
}

async function getBlocks(app: FastifyInstance, body: Record<string, unknown>, client: ClientKey) {
  const start = height(required(body, 'start', 'No start in request'), 'start');
  const end = height(required(body, 'end', 'No end in request'), 'end');
  const excludeHash = flag(body, 'exclude_header_hash', false);
  // The gateway serves main-chain blocks only, so exclude_reorged changes nothing; it is still checked.
  flag(body, 'exclude_reorged', false);
  const peak = requirePeak(app, 'full_node');
  // As the node: heights without a block (start ≥ end, above the peak) give no block, not an error.
  const last = Math.min(end, peak.height + 1);
  if (start >= last) return { blocks: [] };
  if (last - start > MAX_RANGE_BLOCKS) throw new RpcError(`Too many blocks requested: ${last - start}, at most ${MAX_RANGE_BLOCKS} per call`);
  const entries = await lookupRange(app.blockCache, 'full', { start, end: last }, peak, client);
  return {
    blocks: entries.map((entry) => {
      const block = types.FullBlock.decode(entry.bytes);
      return excludeHash ? block : { ...block, header_hash: bareHex(entry.headerHash) };
    }),
  };
}

/** The coin states of `ids` by coin id, read MAX_COIN_STATE_IDS at a time. */
async function statesById(app: FastifyInstance, ids: string[], client: ClientKey): Promise<Map<string, CoinState>> {
  const states = new Map<string, CoinState>();
  for (let i = 0; i < ids.length; i += MAX_COIN_STATE_IDS) {
    const read = await app.upstream.getCoinStates(ids.slice(i, i + MAX_COIN_STATE_IDS), { onBehalfOf: new OnBehalfOf(client) });
    for (const state of read.coin_states) states.set(toHex(coinId(state.coin)), state);
  }
  return states;
}

async function additionsAndRemovals(app: FastifyInstance, body: Record<string, unknown>, client: ClientKey) {
  const headerHash = hash32(required(body, 'header_hash', 'No header_hash in request'), 'header_hash');
  const peak = requirePeak(app, 'wallet');
  const block = await lookupByHash(app, 'header', headerHash, peak, client);
  if (block === undefined) throw notFound(headerHash);
  // Only transaction blocks create and spend coins; the node refuses coin requests for the others.
  if (!block.isTransactionBlock) return { additions: [], removals: [] };
  const { height: at } = block;
  const options = { onBehalfOf: new OnBehalfOf(client) };
  let added: CoinItem[];
  let removed: CoinItem[];
  try {
    [added, removed] = await Promise.all([
      app.upstream.getAdditions(at, headerHash, options).then((reply) => additionsOf(reply, at, headerHash)),
      app.upstream.getRemovals(at, headerHash, options).then((reply) => removalsOf(reply, at, headerHash)),
    ]);
  } catch (error) {
    throw fromUpstream(error, { role: 'wallet', height: at });
  }
  // The records' spent heights and creation heights come from the coins' states now.
  const states = await statesById(app, [...added, ...removed].map((item) => item.id), client).catch((error: unknown) => {
    throw fromUpstream(error, { role: 'wallet' });
  });
  const stateOf = (item: CoinItem): CoinState => {
    const state = states.get(item.id);
    if (state?.created_height === null || state === undefined) throw new RpcError(`Block at ${bareHex(headerHash)} is no longer in the blockchain (it's in a fork)`);
    return state;
  };
  const additions = await recordsOf(app, added.map(stateOf), peak, client);
  const removals = await recordsOf(app, removed.map(stateOf), peak, client);
  return { additions: additions.map(nodeRecord), removals: removals.map(nodeRecord) };
}

export const CHAIN_METHODS: readonly RpcMethod[] = [
  {
    name: 'get_blockchain_state',
    answeredBy: 'The best peak and header blocks (request_block_headers, wallet role; request_blocks without one): the peak, the one before it and those a day of blocks back.',
    differences:
      '`peak` holds the BlockRecord fields a block carries (header_hash, prev_hash, height, weight, total_iters, signage_point_index, challenge_vdf_output, infused_challenge_vdf_output, pool_puzzle_hash, farmer_puzzle_hash, timestamp, prev_transaction_block_hash, fees, reward_claims_incorporated). ' +
      'Left out, since only a node validating the chain or holding a mempool knows them: sub_slot_iters, space, the mempool fields, node_id, and the peak\'s computed fields; block_max_cost on a private network. ' +
      '`synced` is the gateway\'s readiness (a ready link and a fresh peak); sync_mode is always false.',
    params: NoParams,
    answer: BlockchainStateAnswer,
    handle: ({ app, request }) => blockchainState(app, clientOf(request)),
  },
  {
    name: 'get_network_info',
    answeredBy: 'The configured network (no peer message).',
    differences: '',
    params: NoParams,
    answer: NetworkInfoAnswer,
    handle: async ({ app }) => {
      const network = app.config.network;
      return { network_name: network, network_prefix: addressPrefix(network) };
    },
  },
  {
    name: 'get_block',
    answeredBy: 'The header index, then the block at that height (request_blocks, full_node role, through the block cache).',
    differences: 'Only blocks the gateway has seen (peaks, blocks and headers fetched) and still on the main chain are found.',
    params: HeaderHashParams,
    answer: BlockAnswer,
    handle: async ({ app, request, body }) => {
      const headerHash = hash32(required(body, 'header_hash', 'No header_hash in request'), 'header_hash');
      const peak = requirePeak(app, 'full_node');
      const block = await lookupByHash(app, 'full', headerHash, peak, clientOf(request));
      if (block === undefined) throw notFound(headerHash);
      return { block: types.FullBlock.decode(block.bytes) };
    },
  },
  {
    name: 'get_blocks',
    answeredBy: 'request_blocks (full_node role, through the block cache, in aligned batches of 32).',
    differences: `Main-chain blocks only (exclude_reorged has no effect); at most ${MAX_RANGE_BLOCKS} blocks per call.`,
    params: BlocksParams,
    answer: BlocksAnswer,
    handle: ({ app, request, body }) => getBlocks(app, body, clientOf(request)),
  },
  {
    name: 'get_additions_and_removals',
    answeredBy: 'The header index, the header block (request_block_headers), request_additions and request_removals, then request_coin_state for the coins\' records and their creation blocks\' timestamps (wallet role).',
    differences: 'Only blocks the gateway has seen and still on the main chain are found; the records come in the order the peer lists the coins.',
    params: HeaderHashParams,
    answer: AdditionsAndRemovalsAnswer,
    handle: ({ app, request, body }) => additionsAndRemovals(app, body, clientOf(request)),
  },
];
