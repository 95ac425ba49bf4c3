/** WeightProof and its parts (PROTOCOL.md §f.8), carried by respond_proof_of_weight. */
import { VDFInfo, VDFProof } from './block-components.js';
import { HeaderBlock } from './blocks.js';
import { bytes32 } from './bytes.js';
import type { ValueOf } from './codec.js';
import { list, optional } from './combinators.js';
import { packedPair } from './packed-optional.js';
import { u128, u32, u64, u8 } from './primitives.js';
import { ProofOfSpace } from './proof-of-space.js';
import { struct } from './struct.js';

/** new_difficulty and challenge_merkle_root share one flag byte (§f.4). */
export const SubEpochData = struct(
  'SubEpochData',
  {
    reward_chain_hash: bytes32,
    num_blocks_overflow: u8,
    new_sub_slot_iters: optional(u64),
    new_difficulty: optional(u64),
    challenge_merkle_root: optional(bytes32),
  },
  {
    wire: [
      'reward_chain_hash',
      'num_blocks_overflow',
      'new_sub_slot_iters',
      packedPair('new_difficulty', u64, 'challenge_merkle_root', bytes32),
    ],
  },
);

const optProof = optional(VDFProof);
const optInfo = optional(VDFInfo);

export const SubSlotData = struct('SubSlotData', {
  proof_of_space: optional(ProofOfSpace),
  cc_signage_point: optProof,
  cc_infusion_point: optProof,
  icc_infusion_point: optProof,
  cc_sp_vdf_info: optInfo,
  signage_point_index: optional(u8),
  cc_slot_end: optProof,
  icc_slot_end: optProof,
  cc_slot_end_info: optInfo,
  icc_slot_end_info: optInfo,
  cc_ip_vdf_info: optInfo,
  icc_ip_vdf_info: optInfo,
  total_iters: optional(u128),
});

export const SubEpochChallengeSegment = struct('SubEpochChallengeSegment', {
  sub_epoch_n: u32,
  sub_slots: list(SubSlotData),
  rc_slot_end_info: optInfo,
});

export const WeightProof = struct('WeightProof', {
  sub_epochs: list(SubEpochData),
  sub_epoch_segments: list(SubEpochChallengeSegment),
  recent_chain_data: list(HeaderBlock),
});
export type WeightProof = ValueOf<typeof WeightProof>;
