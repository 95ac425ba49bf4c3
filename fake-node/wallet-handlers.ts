/**
 * The fake node's answers to the wallet protocol's coin requests (PROTOCOL.md §e.4, §e.5, §h.4), as
 * the reference handlers compute them (chia-blockchain: chia/full_node/full_node_api.py): the REORG
 * check of a stale (previous_height, header_hash), subscription caps, response item limits and the
 * puzzle-state continuation (`is_finished` false: continue after the returned height).
 */
import { type CoinStateFilters, type MessageName, type SpendBundle } from '../src/chia/codec/index.js';
import { TARGET_BLOCK_TIME_MS } from '../src/chia/protocol/limits.js';
import { rateLimitOf } from '../src/chia/protocol/rate-limits.js';
import { keyOf } from './coin-set.js';
import { RejectStateReason, reply, sameBytes, type Handler, type HandlerContext } from './handlers.js';

/**
 * Puzzle hashes one request_puzzle_state reads (coin_store.py MAX_PUZZLE_HASH_BATCH_SIZE =
 * SQLITE_MAX_VARIABLE_NUMBER − 10 on a current SQLite build, §e.5); the rest of the list is ignored.
 */
export const MAX_PUZZLE_HASH_BATCH = 32_690;
/** Synthetic fee estimates: this many mojos per cost for the next block, one less per this many seconds of target. */
const FEE_RATE_NOW = 10;
const FEE_RATE_STEP_SECONDS = TARGET_BLOCK_TIME_MS / 1_000;
const MS_PER_SECOND = 1_000;

/** The list without repeats, first occurrence kept (dict.fromkeys in the reference). */
function unique(items: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = keyOf(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** True when (previous_height, header_hash) is on the main chain (genesis challenge for null), §e.5. */
function startOnChain(ctx: HandlerContext, previous: number | null, hash: Uint8Array): boolean {
  if (previous === null) return sameBytes(hash, ctx.chain.genesisChallenge);
  return ctx.chain.has(previous) && sameBytes(hash, ctx.chain.headerHash(previous));
}

function minHeightAfter(previous: number | null): number {
  return previous === null ? 0 : previous + 1;
}

/** The fee rate (mojos per cost) the fake node estimates for a target `delta` seconds away. */
function feeRate(delta: number): bigint {
  return BigInt(Math.max(0, FEE_RATE_NOW - Math.floor(delta / FEE_RATE_STEP_SECONDS)));
}

export const WALLET_HANDLERS: Partial<Record<MessageName, Handler>> = {
  request_coin_state(ctx, req) {
    const { subscriptions, maxResponseItems } = ctx.wallet;
    const ids = unique(req.coin_ids as Uint8Array[]).slice(0, maxResponseItems);
    const previous = req.previous_height as number | null;
    if (!startOnChain(ctx, previous, req.header_hash as Uint8Array)) return reply('reject_coin_state', { reason: RejectStateReason.REORG });
    // The whole batch must fit under the cap, or nothing is read (full_node_api.py check_subscription_limit).
    if (req.subscribe === true && subscriptions.wouldExceed(ids.length)) {
      return reply('reject_coin_state', { reason: RejectStateReason.EXCEEDED_SUBSCRIPTION_LIMIT });
    }
    const states = ctx.chain.coins.statesByIds(ids, minHeightAfter(previous), maxResponseItems);
    if (req.subscribe === true) subscriptions.add('coin', ids);
    return reply('respond_coin_state', { coin_ids: ids, coin_states: states });
  },
  request_puzzle_state(ctx, req) {
    const { subscriptions, maxResponseItems } = ctx.wallet;
    const hashes = unique(req.puzzle_hashes as Uint8Array[]).slice(0, MAX_PUZZLE_HASH_BATCH);
    const previous = req.previous_height as number | null;
    const subscribe = req.subscribe_when_finished === true;
    if (!startOnChain(ctx, previous, req.header_hash as Uint8Array)) return reply('reject_puzzle_state', { reason: RejectStateReason.REORG });
    if (subscribe && subscriptions.wouldExceed(hashes.length)) {
      return reply('reject_puzzle_state', { reason: RejectStateReason.EXCEEDED_SUBSCRIPTION_LIMIT });
    }
    const filters = req.filters as CoinStateFilters;
    const [states, next] = ctx.chain.coins.puzzleStatePage(hashes, minHeightAfter(previous), filters, maxResponseItems);
    // Not finished: the page ends just below the block the next page starts with (next − 1, its hash).
    const height = next === null ? ctx.chain.height : Math.max(0, next - 1);
    if (next === null && subscribe) subscriptions.add('puzzle', hashes);
    return reply('respond_puzzle_state', {
      puzzle_hashes: hashes,
      height,
      header_hash: ctx.chain.headerHash(height),
      is_finished: next === null,
      coin_states: states,
    });
  },
  register_for_ph_updates(ctx, req) {
    const { subscriptions, maxResponseItems } = ctx.wallet;
    // Only the newly subscribed hashes are read (their own coins and coins hinted to them); the reply echoes the request.
    const added = subscriptions.add('puzzle', req.puzzle_hashes as Uint8Array[]);
    const minHeight = req.min_height as number;
    const states = ctx.chain.coins.statesByPuzzleHashes(added, minHeight, true, maxResponseItems);
    return reply('respond_to_ph_updates', { puzzle_hashes: req.puzzle_hashes, min_height: minHeight, coin_states: states });
  },
  register_for_coin_updates(ctx, req) {
    const { subscriptions, maxResponseItems } = ctx.wallet;
    const ids = req.coin_ids as Uint8Array[];
    subscriptions.add('coin', ids);
    const minHeight = req.min_height as number;
    const states = ctx.chain.coins.statesByIds(ids, minHeight, maxResponseItems);
    return reply('respond_to_coin_updates', { coin_ids: ids, min_height: minHeight, coin_states: states });
  },
  request_remove_puzzle_subscriptions(ctx, req) {
    const removed = ctx.wallet.subscriptions.remove('puzzle', req.puzzle_hashes as Uint8Array[] | null);
    return reply('respond_remove_puzzle_subscriptions', { puzzle_hashes: removed });
  },
  request_remove_coin_subscriptions(ctx, req) {
    const removed = ctx.wallet.subscriptions.remove('coin', req.coin_ids as Uint8Array[] | null);
    return reply('respond_remove_coin_subscriptions', { coin_ids: removed });
  },
  request_children(ctx, req) {
    return reply('respond_children', { coin_states: ctx.chain.coins.children(req.coin_name as Uint8Array) });
  },
  request_puzzle_solution(ctx, req) {
    const coinName = req.coin_name as Uint8Array;
    const height = req.height as number;
    const record = ctx.chain.coins.get(coinName);
    // `height` must be the coin's spent height exactly (§e.5).
    if (record?.spend == null || record.spent !== height) return reply('reject_puzzle_solution', { coin_name: coinName, height });
    const { puzzle, solution } = record.spend;
    return reply('respond_puzzle_solution', { response: { coin_name: coinName, height, puzzle, solution } });
  },
  send_transaction(ctx, req) {
    const ack = ctx.chain.mempool.submit(req.transaction as SpendBundle);
    return reply('transaction_ack', ack);
  },
  request_fee_estimates(ctx, req) {
    const now = Math.floor(Date.now() / MS_PER_SECOND);
    const estimates = (req.time_targets as bigint[]).map((target) => ({
      error: null,
      time_target: target,
      estimated_fee_rate: { mojos_per_clvm_cost: feeRate(Math.max(0, Number(target) - now)) },
    }));
    const answer = reply('respond_fee_estimates', { estimates: { error: null, estimates } });
    // Over the outbound max_size (100 bytes, at most 5 targets) the node re-queues the reply forever (§e.5, §h.1).
    const max = rateLimitOf('respond_fee_estimates', ctx.wallet.rateLimits)?.maxSize ?? Number.POSITIVE_INFINITY;
    return answer.data.length > max ? null : answer;
  },
};
