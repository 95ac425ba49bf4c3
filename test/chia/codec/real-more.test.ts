/**
 * Conformance on fixtures/real/more (see its README): every case of cases.json against a truth that
 * does not come from this codec — header hashes stated by nodes or an independent implementation,
 * commitments a node computed into the block, node JSON, and the lengths of real CLVM generators.
 */
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  clvmEnd,
  decodeFrame,
  encodeMessage,
  headerHash,
  MessageType,
  parseJson,
  payloadType,
  sha256,
  toHex,
  types,
  type FullBlock,
  type HeaderBlock,
  type RespondBlock,
} from '../../../src/chia/codec/index.js';
import { EMPTY_REFS_ROOT, unfinishedOf } from '../../../src/chia/protocol/block-integrity.js';
import { jsonDiff, realBytes, realJson } from './corpus.js';

const MORE = 'more';
/** generator_root of a transaction block without a generator (PROTOCOL.md §g.3 step 3). */
const NO_GENERATOR_ROOT = toHex(new Uint8Array(32));
/** Hex digits of half a 32-byte hash. */
const HALF_HASH_HEX = 32;
/** The FullBlock fields a HeaderBlock shares, in order (PROTOCOL.md §f.8): fields 1–9. */
const SHARED_HEADER_FIELDS = [
  'finished_sub_slots',
  'reward_chain_block',
  'challenge_chain_sp_proof',
  'challenge_chain_ip_proof',
  'reward_chain_sp_proof',
  'reward_chain_ip_proof',
  'infused_challenge_chain_ip_proof',
  'foliage',
  'foliage_transaction_block',
] as const;

type Commitment =
  | 'reward_block_hash'
  | 'unfinished_reward_block_hash'
  | 'foliage_transaction_block_hash'
  | 'transactions_info_hash'
  | 'generator_root'
  | 'generator_refs_root';

interface BlockTruth {
  header_hash: string;
  commitments: Commitment[];
  commitments_not_checked?: Partial<Record<Commitment, string>>;
  height: number;
  weight: string;
  is_transaction_block: boolean;
  prev_block_hash: string;
  finished_sub_slots: number;
  generator_length: number | null;
  transactions_generator_ref_list: number[];
  challenge_chain_ip_proof: { witness_type: number; normalized_to_identity: boolean };
  generator_file?: string;
}

interface Case {
  id: string;
  kind: 'full_block' | 'respond_block' | 'header_block' | 'generator';
  bytes: string;
  message_type?: number;
  truth: Record<string, unknown>;
  reference_json?: string;
  node_json?: string;
  node_json_path?: string;
  block_record?: string;
}

interface BlockRecord {
  header_hash: string;
  prev_hash: string;
  height: number | bigint;
  weight: number | bigint;
  total_iters: number | bigint;
  signage_point_index: number | bigint;
  timestamp: number | bigint | null;
  farmer_puzzle_hash: string;
  pool_puzzle_hash: string;
  fees: number | bigint | null;
  prev_transaction_block_hash: string | null;
  challenge_vdf_output: { data: string };
  infused_challenge_vdf_output: { data: string } | null;
  reward_infusion_new_challenge: string;
}

const { cases } = realJson(MORE, 'cases.json') as { cases: Case[] };
const bytesOf = (c: Case) => realBytes(MORE, c.bytes);
const hex = (h: string) => `0x${h}`;
const byKind = (kind: Case['kind']) => cases.filter((c) => c.kind === kind).map((c) => [c.id, c] as const);

/** The reference JSON of a full-block case: the node's where there is one, else the independent rendering. */
function referenceJson(c: Case): unknown {
  if (c.node_json !== undefined) {
    const response = realJson(MORE, c.node_json) as Record<string, unknown>;
    return c.node_json_path === undefined ? response : response[c.node_json_path];
  }
  if (c.reference_json === undefined) throw new Error(`case ${c.id} names no reference JSON`);
  return realJson(MORE, c.reference_json);
}

/** Each commitment as [recomputed from the codec's encodings, the value the node stored in the block]. */
function commitments(block: FullBlock): Record<Commitment, [string, string | undefined]> {
  const { foliage, foliage_transaction_block: ftb, transactions_info: info, reward_chain_block: rcb } = block;
  const generator = block.transactions_generator;
  const refs = block.transactions_generator_ref_list;
  const refsBytes = Buffer.concat(refs.map((r) => Buffer.from(Uint32Array.of(r).buffer).reverse()));
  const stored = (v: Uint8Array | null | undefined) => (v === null || v === undefined ? undefined : toHex(v));
  return {
    reward_block_hash: [toHex(sha256(types.RewardChainBlock.encode(rcb))), stored(foliage.reward_block_hash)],
    unfinished_reward_block_hash: [
      toHex(sha256(types.RewardChainBlockUnfinished.encode(unfinishedOf(rcb)))),
      stored(foliage.foliage_block_data.unfinished_reward_block_hash),
    ],
    foliage_transaction_block_hash: [ftb === null ? 'none' : toHex(sha256(types.FoliageTransactionBlock.encode(ftb))), stored(foliage.foliage_transaction_block_hash)],
    transactions_info_hash: [info === null ? 'none' : toHex(sha256(types.TransactionsInfo.encode(info))), stored(ftb?.transactions_info_hash)],
    generator_root: [generator === null ? NO_GENERATOR_ROOT : toHex(sha256(generator)), stored(info?.generator_root)],
    generator_refs_root: [toHex(refs.length === 0 ? EMPTY_REFS_ROOT : sha256(refsBytes)), stored(info?.generator_refs_root)],
  };
}

describe('fixtures/real/more', () => {
  it('holds the 21 cases its README describes, each with a truth', () => {
    expect(cases).toHaveLength(21);
    expect(byKind('full_block')).toHaveLength(6);
    expect(byKind('generator')).toHaveLength(13);
    for (const c of cases) expect(c.truth, c.id).toBeTypeOf('object');
  });
});

describe.each(byKind('full_block'))('FullBlock %s', (id, c) => {
  const truth = c.truth as unknown as BlockTruth;
  const bytes = bytesOf(c);
  // Decoded in each test, so a decoding failure fails those tests rather than the whole file.
  let decoded: FullBlock | undefined;
  const load = (): FullBlock => (decoded ??= types.FullBlock.decode(bytes));

  it('re-encodes to the same bytes and has the stated header hash', () => {
    const block = load();
    expect(toHex(types.FullBlock.encode(block))).toBe(toHex(bytes));
    expect(toHex(headerHash(block))).toBe(hex(truth.header_hash));
  });

  it('has the stated height, weight, links, sub-slots, generator and proof compaction', () => {
    const block = load();
    const rcb = block.reward_chain_block;
    expect(rcb.height).toBe(truth.height);
    expect(String(rcb.weight)).toBe(truth.weight);
    expect(rcb.is_transaction_block).toBe(truth.is_transaction_block);
    expect(toHex(block.foliage.prev_block_hash)).toBe(hex(truth.prev_block_hash));
    expect(block.finished_sub_slots).toHaveLength(truth.finished_sub_slots);
    expect(block.transactions_generator?.length ?? null).toBe(truth.generator_length);
    expect(block.transactions_generator_ref_list).toEqual(truth.transactions_generator_ref_list);
    const proof = block.challenge_chain_ip_proof;
    expect({ witness_type: proof.witness_type, normalized_to_identity: proof.normalized_to_identity }).toEqual(truth.challenge_chain_ip_proof);
  });

  it('has the legacy layout values (block and proof version 0, no header_mmr_root, no generator buffer)', () => {
    const block = load();
    expect(block.version).toBe(0);
    expect(block.reward_chain_block.proof_of_space.version).toBe(0);
    expect(block.reward_chain_block.header_mmr_root).toBeNull();
    expect(block.transactions_generator_buffer).toBeNull();
  });

  it('recomputes every node-computed commitment from the encodings of its parts', () => {
    const computed = commitments(load());
    expect(truth.commitments.length).toBeGreaterThan(0);
    for (const name of truth.commitments) {
      const [ours, stored] = computed[name];
      expect(stored, name).toBeDefined();
      expect(ours, name).toBe(stored);
    }
    // The fixture's documented edits really are edits: those commitments must not match.
    for (const name of Object.keys(truth.commitments_not_checked ?? {}) as Commitment[]) {
      const [ours, stored] = computed[name];
      expect(ours, name).not.toBe(stored);
    }
  });

  if (truth.generator_file !== undefined) it('carries the stated generator, exactly', () => {
    expect(toHex(load().transactions_generator ?? new Uint8Array())).toBe(toHex(realBytes(MORE, truth.generator_file ?? '')));
  });

  if (truth.is_transaction_block && c.id.startsWith('mainnet')) it(
    'pays its reward claims to coins whose parents start with the mainnet genesis challenge',
    () => {
      const claims = load().transactions_info?.reward_claims_incorporated ?? [];
      // Genesis is the only transaction block with nothing to claim.
      expect(claims.length > 0).toBe(truth.height > 0);
      const facts = realJson('mainnet', 'facts.json') as { genesis_challenge: { value: string } };
      const challenge = facts.genesis_challenge.value;
      // Reward coin parents (chia/consensus/coinbase.py): the pool's is genesis_challenge[:16] ‖ height as
      // 16 bytes, the farmer's genesis_challenge[16:] ‖ height, for heights up to this block's.
      const halves = [challenge.slice(0, HALF_HASH_HEX), challenge.slice(HALF_HASH_HEX)];
      for (const claim of claims) {
        const parent = toHex(claim.parent_coin_info).slice(2);
        expect(halves).toContain(parent.slice(0, HALF_HASH_HEX));
        expect(BigInt(hex(parent.slice(HALF_HASH_HEX)))).toBeLessThanOrEqual(BigInt(truth.height));
      }
    },
  );

  const hasReference = c.node_json !== undefined || c.reference_json !== undefined;
  it(`renders chia and safe JSON${hasReference ? ' like the reference' : ''}; every rendering encodes back to the same bytes`, () => {
    const block = load();
    const chia = parseJson(types.FullBlock.toJsonText(block, 'chia'));
    const safe = parseJson(types.FullBlock.toJsonText(block, 'safe'));
    const renderings = [chia, safe];
    // Synthetic blocks have no reference JSON: only their renderings' round trip applies.
    if (hasReference) {
      const reference = referenceJson(c);
      expect(jsonDiff(chia, reference)).toEqual([]);
      expect(jsonDiff(safe, reference, true)).toEqual([]);
      renderings.push(reference);
    }
    for (const json of renderings) expect(toHex(types.FullBlock.encode(types.FullBlock.fromJson(json)))).toBe(toHex(bytes));
  });

  if (c.block_record !== undefined) it('agrees with the node’s block record', () => {
    const block = load();
    const record = (realJson(MORE, c.block_record ?? '') as { block_record: BlockRecord }).block_record;
    const { reward_chain_block: rcb, foliage, foliage_transaction_block: ftb, transactions_info: info } = block;
    expect(toHex(headerHash(block))).toBe(record.header_hash);
    expect(toHex(foliage.prev_block_hash)).toBe(record.prev_hash);
    expect(rcb.height).toBe(Number(record.height));
    expect(rcb.weight).toBe(BigInt(record.weight));
    expect(rcb.total_iters).toBe(BigInt(record.total_iters));
    expect(rcb.signage_point_index).toBe(Number(record.signage_point_index));
    expect(toHex(foliage.foliage_block_data.farmer_reward_puzzle_hash)).toBe(record.farmer_puzzle_hash);
    expect(toHex(foliage.foliage_block_data.pool_target.puzzle_hash)).toBe(record.pool_puzzle_hash);
    expect(ftb === null ? null : ftb.timestamp).toBe(record.timestamp === null ? null : BigInt(record.timestamp));
    expect(info === null ? null : info.fees).toBe(record.fees === null ? null : BigInt(record.fees));
    expect(ftb === null ? null : toHex(ftb.prev_transaction_block_hash)).toBe(record.prev_transaction_block_hash);
    expect(toHex(rcb.challenge_chain_ip_vdf.output.data)).toBe(record.challenge_vdf_output.data);
    expect(rcb.infused_challenge_chain_ip_vdf === null ? null : toHex(rcb.infused_challenge_chain_ip_vdf.output.data)).toBe(
      record.infused_challenge_vdf_output?.data ?? null,
    );
    // BlockRecord.reward_infusion_new_challenge is the reward chain block's hash.
    expect(toHex(sha256(types.RewardChainBlock.encode(rcb)))).toBe(record.reward_infusion_new_challenge);
  });
});

describe.each(byKind('respond_block'))('RespondBlock payload %s', (_id, c) => {
  const bytes = bytesOf(c);
  const type = c.message_type ?? -1;

  it('is the payload class of its message type and round-trips, alone and framed', () => {
    expect(type).toBe(MessageType.respond_block);
    const cls = payloadType(type);
    expect(cls).toBe(types.RespondBlock);
    const message = types.RespondBlock.decode(bytes);
    expect(toHex(types.RespondBlock.encode(message))).toBe(toHex(bytes));
    expect(toHex(headerHash(message.block))).toBe(hex(c.truth.header_hash as string));
    expect(message.block.reward_chain_block.height).toBe(c.truth.height);

    const frame = decodeFrame(encodeMessage('respond_block', message, null));
    expect(frame.type).toBe(type);
    expect(toHex(frame.data)).toBe(toHex(bytes));
    const again = cls?.decode(frame.data) as RespondBlock;
    expect(toHex(headerHash(again.block))).toBe(hex(c.truth.header_hash as string));
  });
});

describe.each(byKind('header_block'))('HeaderBlock %s', (_id, c) => {
  const bytes = bytesOf(c);
  const truth = c.truth as { header_hash: string; transactions_filter: string; full_block: string };

  it('round-trips, has the full block’s header hash and the empty filter, and renders fields 1–9 like it', () => {
    const hb: HeaderBlock = types.HeaderBlock.decode(bytes);
    expect(toHex(types.HeaderBlock.encode(hb))).toBe(toHex(bytes));
    expect(toHex(headerHash(hb))).toBe(hex(truth.header_hash));
    expect(toHex(hb.transactions_filter)).toBe(hex(truth.transactions_filter));
    expect(hb.transactions_info).toBeNull();

    const full = types.FullBlock.decode(realBytes(MORE, truth.full_block));
    for (const mode of ['chia', 'safe'] as const) {
      const ours = parseJson(types.HeaderBlock.toJsonText(hb, mode)) as Record<string, unknown>;
      const theirs = parseJson(types.FullBlock.toJsonText(full, mode)) as Record<string, unknown>;
      expect(Object.keys(ours).slice(0, SHARED_HEADER_FIELDS.length)).toEqual([...SHARED_HEADER_FIELDS]);
      for (const field of SHARED_HEADER_FIELDS) expect(ours[field], `${mode} ${field}`).toEqual(theirs[field]);
      expect(toHex(types.HeaderBlock.encode(types.HeaderBlock.fromJson(ours)))).toBe(toHex(bytes));
    }
  });
});

describe.each(byKind('generator'))('CLVM generator %s', (_id, c) => {
  const bytes = bytesOf(c);
  const truth = c.truth as { program_length: number; sha256: string };

  it('is exactly one serialized program of the stated length and hash', () => {
    expect(bytes.length).toBe(truth.program_length);
    expect(toHex(sha256(bytes))).toBe(hex(truth.sha256));
    expect(clvmEnd(bytes, 0)).toBe(truth.program_length);
  });

  it('ends at the same place with a trailing byte, and throws CodecError when truncated by one byte', () => {
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(clvmEnd(longer, 0)).toBe(truth.program_length);
    expect(() => clvmEnd(bytes.subarray(0, bytes.length - 1), 0)).toThrow(CodecError);
  });
});
