/**
 * FullBlock, UnfinishedBlock (with the generator section of PROTOCOL.md §f.6) and HeaderBlock (§f.7).
 */
import {
  EndOfSubSlotBundle,
  Foliage,
  FoliageTransactionBlock,
  RewardChainBlock,
  RewardChainBlockUnfinished,
  TransactionsInfo,
  VDFProof,
} from './block-components.js';
import { bytes } from './bytes.js';
import { program } from './clvm-length.js';
import type { ValueOf } from './codec.js';
import { list, optional } from './combinators.js';
import { CodecError, withPath } from './errors.js';
import { u32, u8 } from './primitives.js';
import { struct, type WireGroup } from './struct.js';

const HAS_GENERATOR = 1;
/** Highest block version (§f.6): 0 classic layout, 1 generator as an opaque length-prefixed buffer. */
const MAX_BLOCK_VERSION = 1;

const refList = list(u32);
const optProgram = optional(program);
const optBuffer = optional(bytes);

/**
 * The generator section: one prefix byte p (version = p >> 1, has_generator = p & 1). Version 0:
 * optional Program then List[u32] refs. Version 1: optional length-prefixed buffer, no ref list.
 */
const generatorSection: WireGroup = {
  // Spans four fields; every error below names its own field.
  label: '',
  minSize: 1,
  read(r, o) {
    const at = r.pos;
    const p = withPath('.version', () => r.u8());
    const version = p >> 1;
    if (version > MAX_BLOCK_VERSION) throw r.fail(`unsupported block version ${version}`, at).prefix('.version');
    o.version = version;
    if (version === 0) {
      o.transactions_generator = p & HAS_GENERATOR ? withPath('.transactions_generator', () => program.read(r)) : null;
      o.transactions_generator_ref_list = withPath('.transactions_generator_ref_list', () => refList.read(r));
      o.transactions_generator_buffer = null;
    } else {
      o.transactions_generator = null;
      o.transactions_generator_ref_list = [];
      o.transactions_generator_buffer = p & HAS_GENERATOR ? withPath('.transactions_generator_buffer', () => bytes.read(r)) : null;
    }
  },
  write(w, o) {
    const gen = o.transactions_generator ?? null;
    const buffer = o.transactions_generator_buffer ?? null;
    const refs = o.transactions_generator_ref_list;
    if (o.version === 0) {
      if (buffer !== null) throw new CodecError('a version-0 block cannot carry transactions_generator_buffer').prefix('.transactions_generator_buffer');
      w.u8(gen === null ? 0 : HAS_GENERATOR);
      if (gen !== null) withPath('.transactions_generator', () => program.write(w, gen as Uint8Array));
      withPath('.transactions_generator_ref_list', () => refList.write(w, refs as number[]));
    } else if (o.version === 1) {
      if (gen !== null) throw new CodecError('a version-1 block carries its generator in transactions_generator_buffer').prefix('.transactions_generator');
      if (!Array.isArray(refs) || refs.length !== 0) {
        throw new CodecError('a version-1 block has no generator ref list').prefix('.transactions_generator_ref_list');
      }
      w.u8((1 << 1) | (buffer === null ? 0 : HAS_GENERATOR));
      if (buffer !== null) withPath('.transactions_generator_buffer', () => bytes.write(w, buffer as Uint8Array));
    } else {
      throw new CodecError(`unsupported block version ${String(o.version)}`).prefix('.version');
    }
  },
};

const generatorFields = {
  transactions_generator: optProgram,
  transactions_generator_ref_list: refList,
  transactions_generator_buffer: optBuffer,
  version: u8,
} as const;
/** Node JSON before chia_rs 0.47 lacks the buffer and version keys. */
const generatorDefaults = { transactions_generator_buffer: null, version: 0 } as const;

const FULL_BLOCK_HEAD = {
  finished_sub_slots: list(EndOfSubSlotBundle),
  reward_chain_block: RewardChainBlock,
  challenge_chain_sp_proof: optional(VDFProof),
  challenge_chain_ip_proof: VDFProof,
  reward_chain_sp_proof: optional(VDFProof),
  reward_chain_ip_proof: VDFProof,
  infused_challenge_chain_ip_proof: optional(VDFProof),
  foliage: Foliage,
  foliage_transaction_block: optional(FoliageTransactionBlock),
} as const;

export const FullBlock = struct(
  'FullBlock',
  { ...FULL_BLOCK_HEAD, transactions_info: optional(TransactionsInfo), ...generatorFields },
  { wire: [...Object.keys(FULL_BLOCK_HEAD), 'transactions_info', generatorSection], jsonDefaults: generatorDefaults },
);
export type FullBlock = ValueOf<typeof FullBlock>;

const UNFINISHED_FIELDS = {
  finished_sub_slots: list(EndOfSubSlotBundle),
  reward_chain_block: RewardChainBlockUnfinished,
  challenge_chain_sp_proof: optional(VDFProof),
  reward_chain_sp_proof: optional(VDFProof),
  foliage: Foliage,
  foliage_transaction_block: optional(FoliageTransactionBlock),
  transactions_info: optional(TransactionsInfo),
} as const;

export const UnfinishedBlock = struct(
  'UnfinishedBlock',
  { ...UNFINISHED_FIELDS, ...generatorFields },
  { wire: [...Object.keys(UNFINISHED_FIELDS), generatorSection], jsonDefaults: generatorDefaults },
);
export type UnfinishedBlock = ValueOf<typeof UnfinishedBlock>;

export const HeaderBlock = struct('HeaderBlock', {
  ...FULL_BLOCK_HEAD,
  transactions_filter: bytes,
  transactions_info: optional(TransactionsInfo),
});
export type HeaderBlock = ValueOf<typeof HeaderBlock>;
