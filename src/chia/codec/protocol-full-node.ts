/** Full-node protocol payloads (PROTOCOL.md §e.3). */
import { EndOfSubSlotBundle, VDFInfo, VDFProof } from './block-components.js';
import { FullBlock, UnfinishedBlock } from './blocks.js';
import { bytes32, pyBytes } from './bytes.js';
import type { ValueOf } from './codec.js';
import { list, optional } from './combinators.js';
import { bool, u128, u32, u64, u8 } from './primitives.js';
import { SpendBundle, TimestampedPeerInfo } from './protocol-shared.js';
import { struct } from './struct.js';
import { WeightProof } from './weight-proof.js';

export const NewPeak = struct('NewPeak', {
  header_hash: bytes32,
  height: u32,
  weight: u128,
  fork_point_with_previous_peak: u32,
  unfinished_reward_block_hash: bytes32,
});

export const NewTransaction = struct('NewTransaction', { transaction_id: bytes32, cost: u64, fees: u64 });
export const RequestTransaction = struct('RequestTransaction', { transaction_id: bytes32 });
export const RespondTransaction = struct('RespondTransaction', { transaction: SpendBundle });
export const RequestProofOfWeight = struct('RequestProofOfWeight', { total_number_of_blocks: u32, tip: bytes32 });
export const RespondProofOfWeight = struct('RespondProofOfWeight', { wp: WeightProof, tip: bytes32 });

export const RequestBlock = struct('RequestBlock', { height: u32, include_transaction_block: bool });
export const RespondBlock = struct('RespondBlock', { block: FullBlock });
export type RespondBlock = ValueOf<typeof RespondBlock>;
export const RejectBlock = struct('RejectBlock', { height: u32 });
export const RequestBlocks = struct('RequestBlocks', { start_height: u32, end_height: u32, include_transaction_block: bool });
export const RespondBlocks = struct('RespondBlocks', { start_height: u32, end_height: u32, blocks: list(FullBlock) });
export const RejectBlocks = struct('RejectBlocks', { start_height: u32, end_height: u32 });

export const NewUnfinishedBlock = struct('NewUnfinishedBlock', { unfinished_reward_hash: bytes32 });
export const RequestUnfinishedBlock = struct('RequestUnfinishedBlock', { unfinished_reward_hash: bytes32 });
export const RespondUnfinishedBlock = struct('RespondUnfinishedBlock', { unfinished_block: UnfinishedBlock });
export const NewUnfinishedBlock2 = struct('NewUnfinishedBlock2', {
  unfinished_reward_hash: bytes32,
  foliage_hash: optional(bytes32),
});
export const RequestUnfinishedBlock2 = struct('RequestUnfinishedBlock2', {
  unfinished_reward_hash: bytes32,
  foliage_hash: optional(bytes32),
});

export const NewSignagePointOrEndOfSubSlot = struct('NewSignagePointOrEndOfSubSlot', {
  prev_challenge_hash: optional(bytes32),
  challenge_hash: bytes32,
  index_from_challenge: u8,
  last_rc_infusion: bytes32,
});
export const RequestSignagePointOrEndOfSubSlot = struct('RequestSignagePointOrEndOfSubSlot', {
  challenge_hash: bytes32,
  index_from_challenge: u8,
  last_rc_infusion: bytes32,
});
export const RespondSignagePoint = struct('RespondSignagePoint', {
  index_from_challenge: u8,
  challenge_chain_vdf: VDFInfo,
  challenge_chain_proof: VDFProof,
  reward_chain_vdf: VDFInfo,
  reward_chain_proof: VDFProof,
});
export const RespondEndOfSubSlot = struct('RespondEndOfSubSlot', { end_of_slot_bundle: EndOfSubSlotBundle });

/** filter is a Python-defined bytes field: empty renders "0x" (§g.1). */
export const RequestMempoolTransactions = struct('RequestMempoolTransactions', { filter: pyBytes });

const compactVdfHead = { height: u32, header_hash: bytes32, field_vdf: u8, vdf_info: VDFInfo } as const;
export const RequestCompactVDF = struct('RequestCompactVDF', compactVdfHead);
export const RespondCompactVDF = struct('RespondCompactVDF', { ...compactVdfHead, vdf_proof: VDFProof });
export const NewCompactVDF = struct('NewCompactVDF', compactVdfHead);

export const RequestPeers = struct('RequestPeers', {});
export const RespondPeers = struct('RespondPeers', { peer_list: list(TimestampedPeerInfo) });
