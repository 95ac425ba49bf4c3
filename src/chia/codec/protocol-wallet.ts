/** Wallet protocol payloads (PROTOCOL.md §e.4). */
import { Coin } from './block-components.js';
import { HeaderBlock } from './blocks.js';
import { bytes32, pyBytes, str } from './bytes.js';
import { program } from './clvm-length.js';
import type { ValueOf } from './codec.js';
import { list, optional, tuple } from './combinators.js';
import { bool, u128, u32, u64, u8 } from './primitives.js';
import { CoinState, SpendBundle } from './protocol-shared.js';
import { struct } from './struct.js';

const bytes32List = list(bytes32);

export const RequestPuzzleSolution = struct('RequestPuzzleSolution', { coin_name: bytes32, height: u32 });
export const PuzzleSolutionResponse = struct('PuzzleSolutionResponse', {
  coin_name: bytes32,
  height: u32,
  puzzle: program,
  solution: program,
});
export type PuzzleSolutionResponse = ValueOf<typeof PuzzleSolutionResponse>;
export const RespondPuzzleSolution = struct('RespondPuzzleSolution', { response: PuzzleSolutionResponse });
export const RejectPuzzleSolution = struct('RejectPuzzleSolution', { coin_name: bytes32, height: u32 });
export const SendTransaction = struct('SendTransaction', { transaction: SpendBundle });
export const TransactionAck = struct('TransactionAck', { txid: bytes32, status: u8, error: optional(str) });

export const NewPeakWallet = struct('NewPeakWallet', {
  header_hash: bytes32,
  height: u32,
  weight: u128,
  fork_point_with_previous_peak: u32,
});

export const RequestBlockHeader = struct('RequestBlockHeader', { height: u32 });
export const RespondBlockHeader = struct('RespondBlockHeader', { header_block: HeaderBlock });
export const RejectHeaderRequest = struct('RejectHeaderRequest', { height: u32 });

const range = { start_height: u32, end_height: u32 } as const;
export const RequestBlockHeaders = struct('RequestBlockHeaders', { ...range, return_filter: bool });
export const RejectBlockHeaders = struct('RejectBlockHeaders', range);
export const RespondBlockHeaders = struct('RespondBlockHeaders', { ...range, header_blocks: list(HeaderBlock) });
export const RequestHeaderBlocks = struct('RequestHeaderBlocks', range);
export const RejectHeaderBlocks = struct('RejectHeaderBlocks', range);
export const RespondHeaderBlocks = struct('RespondHeaderBlocks', { ...range, header_blocks: list(HeaderBlock) });

const heightAndHash = { height: u32, header_hash: bytes32 } as const;
export const RequestRemovals = struct('RequestRemovals', { ...heightAndHash, coin_names: optional(bytes32List) });
/** Merkle proofs are Python-side bytes: empty renders "0x" (§g.1). */
export const RespondRemovals = struct('RespondRemovals', {
  ...heightAndHash,
  coins: list(tuple(bytes32, optional(Coin))),
  proofs: optional(list(tuple(bytes32, pyBytes))),
});
export type RespondRemovals = ValueOf<typeof RespondRemovals>;
export const RejectRemovalsRequest = struct('RejectRemovalsRequest', heightAndHash);
export const RequestAdditions = struct('RequestAdditions', {
  height: u32,
  header_hash: optional(bytes32),
  puzzle_hashes: optional(bytes32List),
});
export const RespondAdditions = struct('RespondAdditions', {
  ...heightAndHash,
  coins: list(tuple(bytes32, list(Coin))),
  proofs: optional(list(tuple(bytes32, pyBytes, optional(pyBytes)))),
});
export type RespondAdditions = ValueOf<typeof RespondAdditions>;
export const RejectAdditionsRequest = struct('RejectAdditionsRequest', heightAndHash);

export const CoinStateUpdate = struct('CoinStateUpdate', {
  height: u32,
  fork_height: u32,
  peak_hash: bytes32,
  items: list(CoinState),
});
export const RegisterForPhUpdates = struct('RegisterForPhUpdates', { puzzle_hashes: bytes32List, min_height: u32 });
export const RespondToPhUpdates = struct('RespondToPhUpdates', {
  puzzle_hashes: bytes32List,
  min_height: u32,
  coin_states: list(CoinState),
});
export const RegisterForCoinUpdates = struct('RegisterForCoinUpdates', { coin_ids: bytes32List, min_height: u32 });
export const RespondToCoinUpdates = struct('RespondToCoinUpdates', {
  coin_ids: bytes32List,
  min_height: u32,
  coin_states: list(CoinState),
});
export const RequestChildren = struct('RequestChildren', { coin_name: bytes32 });
export const RespondChildren = struct('RespondChildren', { coin_states: list(CoinState) });
export const RequestSESInfo = struct('RequestSESInfo', range);
export const RespondSESInfo = struct('RespondSESInfo', { reward_chain_hash: bytes32List, heights: list(list(u32)) });

export const FeeRate = struct('FeeRate', { mojos_per_clvm_cost: u64 });
export const FeeEstimate = struct('FeeEstimate', { error: optional(str), time_target: u64, estimated_fee_rate: FeeRate });
export const FeeEstimateGroup = struct('FeeEstimateGroup', { error: optional(str), estimates: list(FeeEstimate) });
export type FeeEstimateGroup = ValueOf<typeof FeeEstimateGroup>;
export const RequestFeeEstimates = struct('RequestFeeEstimates', { time_targets: list(u64) });
export const RespondFeeEstimates = struct('RespondFeeEstimates', { estimates: FeeEstimateGroup });

export const RequestRemovePuzzleSubscriptions = struct('RequestRemovePuzzleSubscriptions', {
  puzzle_hashes: optional(bytes32List),
});
export const RespondRemovePuzzleSubscriptions = struct('RespondRemovePuzzleSubscriptions', { puzzle_hashes: bytes32List });
export const RequestRemoveCoinSubscriptions = struct('RequestRemoveCoinSubscriptions', { coin_ids: optional(bytes32List) });
export const RespondRemoveCoinSubscriptions = struct('RespondRemoveCoinSubscriptions', { coin_ids: bytes32List });

export const CoinStateFilters = struct('CoinStateFilters', {
  include_spent: bool,
  include_unspent: bool,
  include_hinted: bool,
  min_amount: u64,
});
export type CoinStateFilters = ValueOf<typeof CoinStateFilters>;
export const RequestPuzzleState = struct('RequestPuzzleState', {
  puzzle_hashes: bytes32List,
  previous_height: optional(u32),
  header_hash: bytes32,
  filters: CoinStateFilters,
  subscribe_when_finished: bool,
});
export const RespondPuzzleState = struct('RespondPuzzleState', {
  puzzle_hashes: bytes32List,
  height: u32,
  header_hash: bytes32,
  is_finished: bool,
  coin_states: list(CoinState),
});
export const RejectPuzzleState = struct('RejectPuzzleState', { reason: u8 });
export const RequestCoinState = struct('RequestCoinState', {
  coin_ids: bytes32List,
  previous_height: optional(u32),
  header_hash: bytes32,
  subscribe: bool,
});
export const RespondCoinState = struct('RespondCoinState', { coin_ids: bytes32List, coin_states: list(CoinState) });
export const RejectCoinState = struct('RejectCoinState', { reason: u8 });

export const MempoolItemsAdded = struct('MempoolItemsAdded', { transaction_ids: bytes32List });
export const RemovedMempoolItem = struct('RemovedMempoolItem', { transaction_id: bytes32, reason: u8 });
export const MempoolItemsRemoved = struct('MempoolItemsRemoved', { removed_items: list(RemovedMempoolItem) });
export const RequestCostInfo = struct('RequestCostInfo', {});
export const RespondCostInfo = struct('RespondCostInfo', {
  max_transaction_cost: u64,
  max_block_cost: u64,
  max_mempool_cost: u64,
  mempool_cost: u64,
  mempool_fee: u64,
  bump_fee_per_cost: u8,
});
