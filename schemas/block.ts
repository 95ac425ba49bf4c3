/**
 * FullBlock and HeaderBlock as the reference node renders them in JSON (PROTOCOL.md §f.6–f.8, §g.1):
 * snake_case fields in declaration order, bytes as 0x hex, u64/u128 as {@link BigUint}. Each struct is
 * a named component so generated clients get one type per protocol struct.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { BigUint, G1, G2, Hex32, HexBytes, U16, U32, U8, ref } from './common.js';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const struct = (id: string, fields: Parameters<typeof Type.Object>[0], description: string) =>
  Type.Object(fields, { $id: id, title: id, description });

const Big = ref(BigUint);

export const ClassgroupElement = struct('ClassgroupElement', { data: HexBytes }, 'A class group element (100 bytes)');
export const VDFInfo = struct(
  'VDFInfo',
  { challenge: Hex32, number_of_iterations: Big, output: ref(ClassgroupElement) },
  'A VDF output and its parameters',
);
export const VDFProof = struct(
  'VDFProof',
  { witness_type: U8, witness: HexBytes, normalized_to_identity: Type.Boolean() },
  'A VDF proof',
);
export const ProofOfSpace = struct(
  'ProofOfSpace',
  {
    challenge: Hex32,
    pool_public_key: nullable(G1),
    pool_contract_puzzle_hash: nullable(Hex32),
    plot_public_key: G1,
    // Added in node 2.6.1 (PROTOCOL.md §f.5); absent from older renderings.
    version: Type.Optional(U8),
    plot_index: Type.Optional(U16),
    meta_group: Type.Optional(U8),
    strength: Type.Optional(U8),
    size: U8,
    proof: HexBytes,
  },
  'A proof of space (v1 or v2 plots)',
);
export const RewardChainBlock = struct(
  'RewardChainBlock',
  {
    weight: Big,
    height: U32,
    total_iters: Big,
    signage_point_index: U8,
    pos_ss_cc_challenge_hash: Hex32,
    proof_of_space: ref(ProofOfSpace),
    challenge_chain_sp_vdf: nullable(ref(VDFInfo)),
    challenge_chain_sp_signature: G2,
    challenge_chain_ip_vdf: ref(VDFInfo),
    reward_chain_sp_vdf: nullable(ref(VDFInfo)),
    reward_chain_sp_signature: G2,
    reward_chain_ip_vdf: ref(VDFInfo),
    infused_challenge_chain_ip_vdf: nullable(ref(VDFInfo)),
    header_mmr_root: Type.Optional(nullable(Hex32)),
    is_transaction_block: Type.Boolean(),
  },
  'The reward chain part of a block',
);
export const PoolTarget = struct('PoolTarget', { puzzle_hash: Hex32, max_height: U32 }, 'Where the pool reward goes');
export const FoliageBlockData = struct(
  'FoliageBlockData',
  {
    unfinished_reward_block_hash: Hex32,
    pool_target: ref(PoolTarget),
    pool_signature: nullable(G2),
    farmer_reward_puzzle_hash: Hex32,
    extension_data: Hex32,
  },
  'Foliage data signed by the plot key',
);
export const Foliage = struct(
  'Foliage',
  {
    prev_block_hash: Hex32,
    reward_block_hash: Hex32,
    foliage_block_data: ref(FoliageBlockData),
    foliage_block_data_signature: G2,
    foliage_transaction_block_hash: nullable(Hex32),
    foliage_transaction_block_signature: nullable(G2),
  },
  'The foliage; the header hash is sha256 of its serialization',
);
export const FoliageTransactionBlock = struct(
  'FoliageTransactionBlock',
  {
    prev_transaction_block_hash: Hex32,
    timestamp: Big,
    filter_hash: Hex32,
    additions_root: Hex32,
    removals_root: Hex32,
    transactions_info_hash: Hex32,
  },
  'Foliage of a transaction block',
);
export const Coin = struct(
  'Coin',
  { parent_coin_info: Hex32, puzzle_hash: Hex32, amount: Big },
  'A coin (amount in mojo)',
);
export const TransactionsInfo = struct(
  'TransactionsInfo',
  {
    generator_root: Hex32,
    generator_refs_root: Hex32,
    aggregated_signature: G2,
    fees: Big,
    cost: Big,
    reward_claims_incorporated: Type.Array(ref(Coin)),
  },
  'Transactions summary of a transaction block',
);
export const ChallengeChainSubSlot = struct(
  'ChallengeChainSubSlot',
  {
    challenge_chain_end_of_slot_vdf: ref(VDFInfo),
    infused_challenge_chain_sub_slot_hash: nullable(Hex32),
    subepoch_summary_hash: nullable(Hex32),
    new_sub_slot_iters: nullable(Big),
    new_difficulty: nullable(Big),
  },
  'End of a challenge chain sub-slot',
);
export const InfusedChallengeChainSubSlot = struct(
  'InfusedChallengeChainSubSlot',
  { infused_challenge_chain_end_of_slot_vdf: ref(VDFInfo) },
  'End of an infused challenge chain sub-slot',
);
export const RewardChainSubSlot = struct(
  'RewardChainSubSlot',
  {
    end_of_slot_vdf: ref(VDFInfo),
    challenge_chain_sub_slot_hash: Hex32,
    infused_challenge_chain_sub_slot_hash: nullable(Hex32),
    deficit: U8,
  },
  'End of a reward chain sub-slot',
);
export const SubSlotProofs = struct(
  'SubSlotProofs',
  {
    challenge_chain_slot_proof: ref(VDFProof),
    infused_challenge_chain_slot_proof: nullable(ref(VDFProof)),
    reward_chain_slot_proof: ref(VDFProof),
  },
  'Proofs of a sub-slot end',
);
export const EndOfSubSlotBundle = struct(
  'EndOfSubSlotBundle',
  {
    challenge_chain: ref(ChallengeChainSubSlot),
    infused_challenge_chain: nullable(ref(InfusedChallengeChainSubSlot)),
    reward_chain: ref(RewardChainSubSlot),
    proofs: ref(SubSlotProofs),
  },
  'A finished sub-slot',
);

/** Fields FullBlock and HeaderBlock share (PROTOCOL.md §f.6 fields 1–9). */
const blockHead = {
  finished_sub_slots: Type.Array(ref(EndOfSubSlotBundle)),
  reward_chain_block: ref(RewardChainBlock),
  challenge_chain_sp_proof: nullable(ref(VDFProof)),
  challenge_chain_ip_proof: ref(VDFProof),
  reward_chain_sp_proof: nullable(ref(VDFProof)),
  reward_chain_ip_proof: ref(VDFProof),
  infused_challenge_chain_ip_proof: nullable(ref(VDFProof)),
  foliage: ref(Foliage),
  foliage_transaction_block: nullable(ref(FoliageTransactionBlock)),
};

export const FullBlock = struct(
  'FullBlock',
  {
    ...blockHead,
    transactions_info: nullable(ref(TransactionsInfo)),
    transactions_generator: nullable(HexBytes),
    transactions_generator_ref_list: Type.Array(U32),
    // Present on nodes after 2.7.3 (PROTOCOL.md §f.6).
    transactions_generator_buffer: Type.Optional(nullable(HexBytes)),
    version: Type.Optional(U8),
  },
  'A full block, as the node RPC get_block renders it',
);
export const HeaderBlock = struct(
  'HeaderBlock',
  { ...blockHead, transactions_filter: HexBytes, transactions_info: nullable(ref(TransactionsInfo)) },
  'A header block (wallet protocol): the block without its generator, with its transactions filter',
);

const blockEnvelope = (id: string, block: TSchema, what: string) =>
  Type.Object(
    {
      height: U32,
      header_hash: { ...Hex32, description: 'The header hash this response resolved (sha256 of the foliage)' },
      block,
    },
    { $id: id, title: id, description: what },
  );

export const FullBlockResponse = blockEnvelope('FullBlockResponse', ref(FullBlock), 'A full block and its header hash');
export const HeaderBlockResponse = blockEnvelope(
  'HeaderBlockResponse',
  ref(HeaderBlock),
  'A header block and its header hash',
);
const rangeEnvelope = (id: string, item: TSchema, what: string) =>
  Type.Object(
    {
      start: U32,
      end: { ...U32, description: 'Exclusive end of the heights served (clipped to the peak + 1)' },
      blocks: Type.Array(item),
    },
    { $id: id, title: id, description: what },
  );
export const FullBlockRange = rangeEnvelope('FullBlockRange', ref(FullBlockResponse), 'Full blocks start ≤ h < end');
export const HeaderBlockRange = rangeEnvelope(
  'HeaderBlockRange',
  ref(HeaderBlockResponse),
  'Header blocks start ≤ h < end',
);

/** Component schemas of this module, in dependency order (for addSchema). */
export const BLOCK_SCHEMAS: TSchema[] = [
  ClassgroupElement,
  VDFInfo,
  VDFProof,
  ProofOfSpace,
  RewardChainBlock,
  PoolTarget,
  FoliageBlockData,
  Foliage,
  FoliageTransactionBlock,
  Coin,
  TransactionsInfo,
  ChallengeChainSubSlot,
  InfusedChallengeChainSubSlot,
  RewardChainSubSlot,
  SubSlotProofs,
  EndOfSubSlotBundle,
  FullBlock,
  HeaderBlock,
  FullBlockResponse,
  HeaderBlockResponse,
  FullBlockRange,
  HeaderBlockRange,
];
