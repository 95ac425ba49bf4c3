/** Component types of blocks, field by field in declaration order (PROTOCOL.md §f.8). */
import { bytes, bytes100, bytes32, g2 } from './bytes.js';
import type { ValueOf } from './codec.js';
import { list, optional } from './combinators.js';
import { packedPair } from './packed-optional.js';
import { bool, u128, u32, u64, u8 } from './primitives.js';
import { ProofOfSpace } from './proof-of-space.js';
import { struct } from './struct.js';

export const ClassgroupElement = struct('ClassgroupElement', { data: bytes100 });
export type ClassgroupElement = ValueOf<typeof ClassgroupElement>;

export const VDFInfo = struct('VDFInfo', {
  challenge: bytes32,
  number_of_iterations: u64,
  output: ClassgroupElement,
});
export type VDFInfo = ValueOf<typeof VDFInfo>;

export const VDFProof = struct('VDFProof', { witness_type: u8, witness: bytes, normalized_to_identity: bool });
export type VDFProof = ValueOf<typeof VDFProof>;

export const Coin = struct('Coin', { parent_coin_info: bytes32, puzzle_hash: bytes32, amount: u64 });
export type Coin = ValueOf<typeof Coin>;

export const PoolTarget = struct('PoolTarget', { puzzle_hash: bytes32, max_height: u32 });
export type PoolTarget = ValueOf<typeof PoolTarget>;

export const ChallengeChainSubSlot = struct('ChallengeChainSubSlot', {
  challenge_chain_end_of_slot_vdf: VDFInfo,
  infused_challenge_chain_sub_slot_hash: optional(bytes32),
  subepoch_summary_hash: optional(bytes32),
  new_sub_slot_iters: optional(u64),
  new_difficulty: optional(u64),
});
export type ChallengeChainSubSlot = ValueOf<typeof ChallengeChainSubSlot>;

export const InfusedChallengeChainSubSlot = struct('InfusedChallengeChainSubSlot', {
  infused_challenge_chain_end_of_slot_vdf: VDFInfo,
});
export type InfusedChallengeChainSubSlot = ValueOf<typeof InfusedChallengeChainSubSlot>;

export const RewardChainSubSlot = struct('RewardChainSubSlot', {
  end_of_slot_vdf: VDFInfo,
  challenge_chain_sub_slot_hash: bytes32,
  infused_challenge_chain_sub_slot_hash: optional(bytes32),
  deficit: u8,
});
export type RewardChainSubSlot = ValueOf<typeof RewardChainSubSlot>;

export const SubSlotProofs = struct('SubSlotProofs', {
  challenge_chain_slot_proof: VDFProof,
  infused_challenge_chain_slot_proof: optional(VDFProof),
  reward_chain_slot_proof: VDFProof,
});
export type SubSlotProofs = ValueOf<typeof SubSlotProofs>;

export const EndOfSubSlotBundle = struct('EndOfSubSlotBundle', {
  challenge_chain: ChallengeChainSubSlot,
  infused_challenge_chain: optional(InfusedChallengeChainSubSlot),
  reward_chain: RewardChainSubSlot,
  proofs: SubSlotProofs,
});
export type EndOfSubSlotBundle = ValueOf<typeof EndOfSubSlotBundle>;

const optU64 = optional(u64);
const optBytes32 = optional(bytes32);
const optVDFInfo = optional(VDFInfo);

/** new_sub_slot_iters and challenge_merkle_root share one flag byte (§f.4). */
export const SubEpochSummary = struct(
  'SubEpochSummary',
  {
    prev_subepoch_summary_hash: bytes32,
    reward_chain_hash: bytes32,
    num_blocks_overflow: u8,
    new_difficulty: optU64,
    new_sub_slot_iters: optU64,
    challenge_merkle_root: optBytes32,
  },
  {
    wire: [
      'prev_subepoch_summary_hash',
      'reward_chain_hash',
      'num_blocks_overflow',
      'new_difficulty',
      packedPair('new_sub_slot_iters', u64, 'challenge_merkle_root', bytes32),
    ],
  },
);

const RCB_FIELDS = {
  weight: u128,
  height: u32,
  total_iters: u128,
  signage_point_index: u8,
  pos_ss_cc_challenge_hash: bytes32,
  proof_of_space: ProofOfSpace,
  challenge_chain_sp_vdf: optVDFInfo,
  challenge_chain_sp_signature: g2,
  challenge_chain_ip_vdf: VDFInfo,
  reward_chain_sp_vdf: optVDFInfo,
  reward_chain_sp_signature: g2,
  reward_chain_ip_vdf: VDFInfo,
  infused_challenge_chain_ip_vdf: optVDFInfo,
  header_mmr_root: optBytes32,
  is_transaction_block: bool,
} as const;

/** infused_challenge_chain_ip_vdf and header_mmr_root share one flag byte (§f.4). */
export const RewardChainBlock = struct('RewardChainBlock', RCB_FIELDS, {
  wire: [
    ...Object.keys(RCB_FIELDS).slice(0, 12),
    packedPair('infused_challenge_chain_ip_vdf', VDFInfo, 'header_mmr_root', bytes32),
    'is_transaction_block',
  ],
});
export type RewardChainBlock = ValueOf<typeof RewardChainBlock>;

export const RewardChainBlockUnfinished = struct('RewardChainBlockUnfinished', {
  total_iters: u128,
  signage_point_index: u8,
  pos_ss_cc_challenge_hash: bytes32,
  proof_of_space: ProofOfSpace,
  challenge_chain_sp_vdf: optVDFInfo,
  challenge_chain_sp_signature: g2,
  reward_chain_sp_vdf: optVDFInfo,
  reward_chain_sp_signature: g2,
});
export type RewardChainBlockUnfinished = ValueOf<typeof RewardChainBlockUnfinished>;

export const FoliageBlockData = struct('FoliageBlockData', {
  unfinished_reward_block_hash: bytes32,
  pool_target: PoolTarget,
  pool_signature: optional(g2),
  farmer_reward_puzzle_hash: bytes32,
  extension_data: bytes32,
});
export type FoliageBlockData = ValueOf<typeof FoliageBlockData>;

export const Foliage = struct('Foliage', {
  prev_block_hash: bytes32,
  reward_block_hash: bytes32,
  foliage_block_data: FoliageBlockData,
  foliage_block_data_signature: g2,
  foliage_transaction_block_hash: optBytes32,
  foliage_transaction_block_signature: optional(g2),
});
export type Foliage = ValueOf<typeof Foliage>;

export const FoliageTransactionBlock = struct('FoliageTransactionBlock', {
  prev_transaction_block_hash: bytes32,
  timestamp: u64,
  filter_hash: bytes32,
  additions_root: bytes32,
  removals_root: bytes32,
  transactions_info_hash: bytes32,
});
export type FoliageTransactionBlock = ValueOf<typeof FoliageTransactionBlock>;

export const TransactionsInfo = struct('TransactionsInfo', {
  generator_root: bytes32,
  generator_refs_root: bytes32,
  aggregated_signature: g2,
  fees: u64,
  cost: u64,
  reward_claims_incorporated: list(Coin),
});
export type TransactionsInfo = ValueOf<typeof TransactionsInfo>;
