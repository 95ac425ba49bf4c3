/** Malformed input: only CodecError escapes, with an offset and a type path; no over-reads or huge allocations. */
import { describe, expect, it } from 'vitest';
import { CodecError, fromHex, toHex, types } from '../../../src/chia/codec/index.js';
import { catchCodec } from './catch-codec.js';
import { loadVectors } from './corpus.js';

const vectors = loadVectors();
const vectorBytes = (cls: string): Uint8Array => fromHex(vectors.find((v) => v.class === cls)!.hex);
const u32be = (n: number): string => n.toString(16).padStart(8, '0');
const hash = 'ab'.repeat(32);

describe('primitive rules', () => {
  it('rejects input that is not a Uint8Array', () => {
    expect(() => types.RequestBlock.decode(new ArrayBuffer(5) as unknown as Uint8Array)).toThrow(CodecError);
    expect(() => types.RequestBlock.decode('0000006401' as unknown as Uint8Array)).toThrow(CodecError);
  });
  it('rejects trailing bytes', () => {
    const err = catchCodec(() => types.RequestBlock.decode(fromHex('0000006401' + '00')));
    expect(err.offset).toBe(5);
    expect(err.message).toMatch(/trailing/);
  });
  it('rejects truncation with the field path', () => {
    const err = catchCodec(() => types.RequestBlock.decode(fromHex('000000')));
    expect(err.path).toBe('RequestBlock.height');
    expect(err.offset).toBe(0);
  });
  it('rejects a bool byte other than 0/1', () => {
    const err = catchCodec(() => types.RequestBlock.decode(fromHex('0000006402')));
    expect(err.path).toBe('RequestBlock.include_transaction_block');
    expect(err.offset).toBe(4);
  });
  it('rejects an Optional flag other than 0/1', () => {
    const err = catchCodec(() => types.NewUnfinishedBlock2.decode(fromHex(hash + '02' + hash)));
    expect(err.path).toBe('NewUnfinishedBlock2.foliage_hash');
    expect(err.offset).toBe(32);
  });
  it('rejects invalid UTF-8 (fatal decoder)', () => {
    // Error: code i16, message str "\xff\xfe", data None
    const err = catchCodec(() => types.Error.decode(fromHex('0001' + '00000002' + 'fffe' + '00')));
    expect(err.path).toBe('Error.message');
    expect(err.message).toMatch(/UTF-8/);
  });
  it('decodes a negative i16 error code', () => {
    expect(types.Error.decode(fromHex('fffa' + '00000000' + '00')).code).toBe(-6);
  });
  it('fails a bytes length beyond the input before allocating', () => {
    const err = catchCodec(() => types.RequestMempoolTransactions.decode(fromHex('ffffffff00')));
    expect(err.message).toMatch(/needs 4294967295 bytes, 1 left/);
  });
  it('fails a list count that cannot fit in the remaining bytes at once', () => {
    const err = catchCodec(() => types.RespondPeers.decode(fromHex(u32be(0xffffffff) + '00')));
    expect(err.path).toBe('RespondPeers.peer_list');
    expect(err.message).toMatch(/count 4294967295 cannot fit/);
  });
  it('fails a huge block count in RespondBlocks at once', () => {
    const err = catchCodec(() => types.RespondBlocks.decode(fromHex('00000001' + '00000002' + u32be(1_000_000) + '00'.repeat(64))));
    expect(err.path).toBe('RespondBlocks.blocks');
  });
});

describe('CLVM programs (§f.2)', () => {
  const solution = (prog: string): Uint8Array =>
    fromHex(hash + '00000001' + '80' + prog); // PuzzleSolutionResponse: coin_name, height, puzzle, solution
  it.each(['fc', 'fd'])('rejects the invalid prefix byte 0x%s', (b) => {
    const err = catchCodec(() => types.PuzzleSolutionResponse.decode(solution(b + '0000000001' + '00')));
    expect(err.path).toBe('PuzzleSolutionResponse.solution');
    expect(err.message).toMatch(/invalid CLVM prefix/);
  });
  it('rejects truncated programs and atoms longer than the input', () => {
    expect(() => types.PuzzleSolutionResponse.decode(solution('ff80'))).toThrow(CodecError);
    expect(() => types.PuzzleSolutionResponse.decode(solution('8501020304'))).toThrow(/exceeds the input/);
    expect(() => types.PuzzleSolutionResponse.decode(solution('fbffffffff'))).toThrow(/exceeds the input/);
    expect(() => types.PuzzleSolutionResponse.decode(solution('c0'))).toThrow(/size truncated/);
  });
  it('skips back-references and multi-byte atom sizes', () => {
    const prog = 'ff' + 'fe02' + 'ff' + 'fe8201ff' + 'ff' + 'c004aabbccdd' + '80';
    const v = types.PuzzleSolutionResponse.decode(solution(prog));
    expect(toHex(v.solution)).toBe('0x' + prog);
  });
  it('refuses to encode a program with bytes after its object', () => {
    const v = types.PuzzleSolutionResponse.decode(solution('80'));
    expect(() => types.PuzzleSolutionResponse.encode({ ...v, solution: fromHex('8080') })).toThrow(/after its CLVM object/);
  });
});

describe('ProofOfSpace and packed layouts (§f.4-§f.6)', () => {
  const block = vectorBytes('RespondBlock');
  // FullBlock: finished_sub_slots count (u32 0) ... locate the ProofOfSpace prefix byte by decoding.
  const value = types.RespondBlock.decode(block);
  const pos = value.block.reward_chain_block.proof_of_space;

  it('decodes the v2 proofs of the corpus', () => {
    expect(pos.version).toBe(1);
    expect(pos.size).toBe(0);
  });
  it('rejects ProofOfSpace version > 1 with the full path', () => {
    const bytes = types.ProofOfSpace.encode(pos);
    const prefixAt = 32 + (pos.pool_public_key === null ? 1 : 49);
    const bad = bytes.slice();
    bad[prefixAt] = 0x04 | (bad[prefixAt]! & 1);
    const err = catchCodec(() => types.ProofOfSpace.decode(bad));
    expect(err.path).toBe('ProofOfSpace.version');
    expect(err.offset).toBe(prefixAt);
    // The same corruption inside a block names the whole path.
    const start = indexOf(block, bytes);
    const badBlock = block.slice();
    badBlock[start + prefixAt] = 0x04;
    expect(catchCodec(() => types.RespondBlock.decode(badBlock)).path).toBe('RespondBlock.block.reward_chain_block.proof_of_space.version');
  });
  it('requires exactly one pool identity for a v2 proof', () => {
    expect(() => types.ProofOfSpace.encode({ ...pos, pool_public_key: null, pool_contract_puzzle_hash: null })).toThrow(/exactly one/);
    const both = types.ProofOfSpace.encode(pos).slice();
    const prefixAt = 32 + 49;
    both[prefixAt] = 0x03; // v2 with a contract hash as well as the pool key: but no hash bytes follow
    const withHash = Uint8Array.from([...both.subarray(0, prefixAt + 1), ...new Uint8Array(32), ...both.subarray(prefixAt + 1)]);
    expect(catchCodec(() => types.ProofOfSpace.decode(withHash)).path).toBe('ProofOfSpace.pool_contract_puzzle_hash');
    const bytes = types.ProofOfSpace.encode({ ...pos, pool_public_key: null, pool_contract_puzzle_hash: fromHex(hash) });
    expect(types.ProofOfSpace.decode(bytes).pool_contract_puzzle_hash).toEqual(fromHex(hash));
  });
  it('round-trips a v1 (version 0) proof and refuses v2-only fields on it', () => {
    const v0 = { ...pos, version: 0, plot_index: 0, meta_group: 0, strength: 0, size: 32 };
    expect(types.ProofOfSpace.decode(types.ProofOfSpace.encode(v0))).toEqual(v0);
    expect(() => types.ProofOfSpace.encode({ ...v0, plot_index: 5 })).toThrow(CodecError);
  });
  it('reads and writes packed optional flags 0-3, rejects 4+', () => {
    const ses = { prev_subepoch_summary_hash: fromHex(hash), reward_chain_hash: fromHex(hash), num_blocks_overflow: 1, new_difficulty: null };
    for (const [iters, root] of [[null, null], [5n, null], [null, fromHex(hash)], [7n, fromHex(hash)]] as const) {
      const v = { ...ses, new_sub_slot_iters: iters, challenge_merkle_root: root };
      const bytes = types.SubEpochSummary.encode(v);
      expect(types.SubEpochSummary.decode(bytes)).toEqual(v);
    }
    const bytes = types.SubEpochSummary.encode({ ...ses, new_sub_slot_iters: null, challenge_merkle_root: null });
    const bad = bytes.slice();
    bad[bad.length - 1] = 4;
    expect(catchCodec(() => types.SubEpochSummary.decode(bad)).path).toBe('SubEpochSummary.new_sub_slot_iters');
    const truncated = types.SubEpochSummary.encode({ ...ses, new_sub_slot_iters: null, challenge_merkle_root: fromHex(hash) }).subarray(0, -1);
    expect(catchCodec(() => types.SubEpochSummary.decode(truncated)).path).toBe('SubEpochSummary.challenge_merkle_root');
  });
  it('handles the version-1 generator section and rejects versions above 1', () => {
    const fb = value.block;
    const v1 = { ...fb, version: 1, transactions_generator: null, transactions_generator_ref_list: [], transactions_generator_buffer: fromHex('ff0180') };
    const bytes = types.FullBlock.encode(v1);
    expect(types.FullBlock.decode(bytes)).toEqual(v1);
    expect(toHex(bytes.subarray(-8))).toBe('0x0300000003ff0180');
    const noGen = types.FullBlock.encode({ ...v1, transactions_generator_buffer: null });
    expect(noGen[noGen.length - 1]).toBe(2);
    const bad = noGen.slice();
    bad[bad.length - 1] = 4;
    expect(catchCodec(() => types.FullBlock.decode(bad)).path).toBe('FullBlock.version');
    expect(() => types.FullBlock.encode({ ...v1, transactions_generator_ref_list: [1] })).toThrow(/ref list/);
    expect(() => types.FullBlock.encode({ ...fb, transactions_generator_buffer: fromHex('00') })).toThrow(/version-0/);
    // A version-0 block cut inside its ref list names that field.
    const v0 = types.FullBlock.encode({ ...fb, transactions_generator: null, transactions_generator_ref_list: [1, 2] });
    expect(catchCodec(() => types.FullBlock.decode(v0.subarray(0, -2))).path).toBe('FullBlock.transactions_generator_ref_list');
  });
});

describe('fromJson input checking', () => {
  it('rejects wrong types and out-of-range values with a path', () => {
    expect(catchCodec(() => types.RequestBlock.fromJson({ height: 2 ** 32, include_transaction_block: true })).path).toBe('RequestBlock.height');
    expect(catchCodec(() => types.RequestBlock.fromJson({ height: '1x', include_transaction_block: true })).path).toBe('RequestBlock.height');
    expect(catchCodec(() => types.RequestBlock.fromJson({ height: 1, include_transaction_block: 1 })).path).toBe(
      'RequestBlock.include_transaction_block',
    );
    expect(catchCodec(() => types.Coin.fromJson({ parent_coin_info: '0x12', puzzle_hash: '0x', amount: 1 })).path).toBe('Coin.parent_coin_info');
    expect(catchCodec(() => types.Coin.fromJson({ parent_coin_info: '0x' + hash, puzzle_hash: '0x' + hash, amount: -1 })).path).toBe('Coin.amount');
    expect(() => types.Coin.fromJson(null)).toThrow(CodecError);
    expect(() => types.Coin.fromJson([])).toThrow(CodecError);
    expect(() => types.Handshake.fromJson({ network_id: 'x', protocol_version: '1', software_version: '\ud800', server_port: 0, node_type: 6, capabilities: [] })).toThrow(/surrogate/);
  });
  it('encode rejects ill-typed values', () => {
    expect(() => types.RejectBlock.encode({ height: 1.5 })).toThrow(CodecError);
    expect(() => types.NewPeakWallet.encode({ header_hash: new Uint8Array(31), height: 1, weight: 1n, fork_point_with_previous_peak: 0 })).toThrow(
      /NewPeakWallet.header_hash/,
    );
  });
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('needle not found');
}
