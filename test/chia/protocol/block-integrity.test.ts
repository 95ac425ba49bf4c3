/**
 * Block bodies bound to their foliage (PROTOCOL.md §g.3 steps 2–5) and prev-hash links within a batch:
 * every real block passes, and a block tampered in exactly one field fails with a message naming it.
 */
import { describe, expect, it } from 'vitest';
import { bodyMismatch } from '../../../src/chia/protocol/block-integrity.js';
import { MessageType, headerHash, toHex, types, type FullBlock, type HeaderBlock } from '../../../src/chia/codec/index.js';
import { UpstreamError } from '../../../src/chia/errors.js';
import type { PeerReply } from '../../../src/chia/link/peer-reply.js';
import { checkBlocks } from '../../../src/chia/pool/upstream-replies.js';
import { realBytes } from '../codec/corpus.js';
import { FakeChain } from '../../../fake-node/chain.js';

const PEER = '198.51.100.7:8444';
const pad = (h: number): string => String(h).padStart(6, '0');
const MAINNET = Array.from({ length: 64 }, (_, h) => h);
const TESTNET10 = [149988, 300000, 392111, 396963, 442734, 466212, 1315537, 1315544, 1315630];
const RPC = ['fullblock_000100.bin', 'fullblock_000101.bin', 'fullblock_914661_uncompacted.bin', 'fullblock_914661_compacted.bin'];

const mainnetFull = (h: number): FullBlock => types.FullBlock.decode(realBytes('mainnet', 'full', `${pad(h)}.bin`));
const mainnetHeader = (h: number): HeaderBlock => types.HeaderBlock.decode(realBytes('mainnet', 'header', `${pad(h)}.bin`));
const testnet = (h: number): FullBlock => types.FullBlock.decode(realBytes('testnet10', `fullblock_${h}.bin`));
const rpc = (h: number): FullBlock => types.FullBlock.decode(realBytes('mainnet', 'rpc', `fullblock_${pad(h)}.bin`));

/** A copy of `bytes` with byte `i` flipped. */
function flip(bytes: Uint8Array, i = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[i] = out[i]! ^ 0xff;
  return out;
}

function fullReply(blocks: FullBlock[]): PeerReply {
  const start = blocks[0]!.reward_chain_block.height;
  const data = types.RespondBlocks.encode({ start_height: start, end_height: start + blocks.length - 1, blocks });
  return { kind: 'ok', type: MessageType.respond_blocks, data, peer: PEER };
}

function headerReply(header_blocks: HeaderBlock[]): PeerReply {
  const start = header_blocks[0]!.reward_chain_block.height;
  const data = types.RespondBlockHeaders.encode({ start_height: start, end_height: start + header_blocks.length - 1, header_blocks });
  return { kind: 'ok', type: MessageType.respond_block_headers, data, peer: PEER };
}

const noAnnouncements = (): undefined => undefined;

/** The UpstreamError checkBlocks throws for a one-block full reply of `block`. */
function fullError(block: FullBlock): UpstreamError {
  const h = block.reward_chain_block.height;
  try {
    checkBlocks(fullReply([block]), 'RespondBlocks', h, h, noAnnouncements);
  } catch (e) {
    if (e instanceof UpstreamError) return e;
    throw e;
  }
  throw new Error('checkBlocks accepted a tampered block');
}

describe('every real block passes', () => {
  it.each(MAINNET)('mainnet full and header block %i', (h) => {
    expect(bodyMismatch(mainnetFull(h))).toBeUndefined();
    expect(bodyMismatch(mainnetHeader(h))).toBeUndefined();
  });

  it.each(RPC)('mainnet RPC capture %s', (file) => {
    expect(bodyMismatch(types.FullBlock.decode(realBytes('mainnet', 'rpc', file)))).toBeUndefined();
  });

  it.each(TESTNET10)('testnet10 block %i (generators, refs)', (h) => {
    expect(bodyMismatch(testnet(h))).toBeUndefined();
  });

  it('testnet10 header block 300000', () => {
    expect(bodyMismatch(types.HeaderBlock.decode(realBytes('testnet10', 'headerblock_300000.bin')))).toBeUndefined();
  });

  it('checkBlocks accepts mainnet 0–32 as one respond_blocks and 0–63 as one respond_block_headers', () => {
    const full = checkBlocks(fullReply(MAINNET.slice(0, 33).map(mainnetFull)), 'RespondBlocks', 0, 32, noAnnouncements);
    expect(full.map((b) => b.height)).toEqual(MAINNET.slice(0, 33));
    const headers = checkBlocks(headerReply(MAINNET.map(mainnetHeader)), 'RespondBlockHeaders', 0, 63, noAnnouncements);
    expect(headers.at(-1)!.header_hash).toBe('0x4080ba33d1520269e0d012ddb40e93a33b2c11158254e4b9fc168de53bdc49cc');
    expect(checkBlocks(fullReply([rpc(100), rpc(101)]), 'RespondBlocks', 100, 101, noAnnouncements)).toHaveLength(2);
  });
});

describe('a block tampered in one field fails, naming the field and height', () => {
  // Mainnet 101 is a transaction block without a generator; testnet10 466212 has a generator and one ref.
  const tx = rpc(101);
  const gen = testnet(466212);

  it('the foliage transaction block (§g.3 step 2)', () => {
    const e = fullError({ ...tx, foliage_transaction_block: { ...tx.foliage_transaction_block!, timestamp: 1n } });
    expect(e.code).toBe('UPSTREAM_INVALID_REPLY');
    expect(e.peer).toBe(PEER);
    expect(e.message).toMatch(/height 101: foliage_transaction_block hashes to 0x[0-9a-f]{64}, but foliage\.foliage_transaction_block_hash is/);
  });

  it('transactions_info (§g.3 step 2)', () => {
    const info = tx.transactions_info!;
    const e = fullError({ ...tx, transactions_info: { ...info, aggregated_signature: flip(info.aggregated_signature, 40) } });
    expect(e.message).toMatch(/height 101: transactions_info hashes to .*, but foliage_transaction_block\.transactions_info_hash is/);
    expect(fullError({ ...tx, transactions_info: { ...info, fees: info.fees + 1n } }).message).toMatch(/transactions_info hashes/);
  });

  it('a generator byte (§g.3 step 3)', () => {
    const program = gen.transactions_generator!;
    // Flip a byte inside an atom, so the program still parses and keeps its length.
    const tampered = [...Array(200).keys()].map((k) => flip(program, (program.length >> 1) + k)).find((p) => {
      try {
        return types.FullBlock.decode(types.FullBlock.encode({ ...gen, transactions_generator: p })).transactions_generator!.length === program.length;
      } catch {
        return false;
      }
    });
    const e = fullError({ ...gen, transactions_generator: tampered! });
    expect(e.message).toMatch(/height 466212: the generator \(110913 bytes\) hashes to .*, but transactions_info\.generator_root is/);
  });

  it('a missing generator and a generator where none belongs (§g.3 step 3)', () => {
    expect(fullError({ ...gen, transactions_generator: null }).message).toMatch(/height 466212: there is no generator, but transactions_info\.generator_root/);
    expect(fullError({ ...tx, transactions_generator: gen.transactions_generator }).message).toMatch(/height 101: the generator .*, but transactions_info\.generator_root is 0x0{64}/);
    const nonTx = rpc(100);
    expect(fullError({ ...nonTx, transactions_generator: gen.transactions_generator }).message).toMatch(
      /height 100: a non-transaction block carries a generator/,
    );
  });

  it('the generator refs (§g.3 step 3)', () => {
    expect(gen.transactions_generator_ref_list).toEqual([442734]);
    expect(fullError({ ...gen, transactions_generator_ref_list: [442735] }).message).toMatch(
      /height 466212: the 1 generator refs give root .*, but transactions_info\.generator_refs_root is/,
    );
    expect(fullError({ ...gen, transactions_generator_ref_list: [] }).message).toMatch(/the 0 generator refs give root 0x(01){32}/);
    expect(fullError({ ...tx, transactions_generator_ref_list: [1] }).message).toMatch(/height 101: the 1 generator refs/);
  });

  it('the transactions filter of a header block (§g.3 step 4)', () => {
    const hb = mainnetHeader(62);
    expect(hb.foliage_transaction_block).not.toBeNull();
    const tampered = { ...hb, transactions_filter: flip(hb.transactions_filter, hb.transactions_filter.length - 1) };
    expect(() => checkBlocks(headerReply([tampered]), 'RespondBlockHeaders', 62, 62, noAnnouncements)).toThrow(
      /height 62: transactions_filter hashes to .*, but foliage_transaction_block\.filter_hash is/,
    );
    // Asked with return_filter, a transaction block must not come back with the 0x00 placeholder.
    expect(bodyMismatch({ ...hb, transactions_filter: Uint8Array.of(0) })).toMatch(/transactions_filter hashes/);
    const nonTx = mainnetHeader(2);
    expect(nonTx.foliage_transaction_block).toBeNull();
    expect(bodyMismatch({ ...nonTx, transactions_filter: Uint8Array.of(1, 2) })).toMatch(/non-transaction block carries a transactions_filter/);
  });

  it('the reward chain block (§g.3 step 5)', () => {
    const rcb = tx.reward_chain_block;
    const output = { data: flip(rcb.reward_chain_ip_vdf.output.data, 7) };
    const e = fullError({ ...tx, reward_chain_block: { ...rcb, reward_chain_ip_vdf: { ...rcb.reward_chain_ip_vdf, output } } });
    expect(e.message).toMatch(/height 101: reward_chain_block hashes to .*, but foliage\.reward_block_hash is/);
    const hb = mainnetHeader(5);
    expect(bodyMismatch({ ...hb, reward_chain_block: { ...hb.reward_chain_block, weight: hb.reward_chain_block.weight + 1n } })).toMatch(
      /reward_chain_block hashes/,
    );
  });

  it('the unfinished reward block hash (§g.3 step 5)', () => {
    const fbd = tx.foliage.foliage_block_data;
    const foliage = { ...tx.foliage, foliage_block_data: { ...fbd, unfinished_reward_block_hash: flip(fbd.unfinished_reward_block_hash) } };
    expect(fullError({ ...tx, foliage }).message).toMatch(
      /height 101: the unfinished reward_chain_block hashes to .*, but foliage\.foliage_block_data\.unfinished_reward_block_hash is/,
    );
  });

  it('skips step 5 for version-1 (v2-plot) proofs, whose hash needs the quality string (§g.2)', () => {
    const rcb = tx.reward_chain_block;
    const v1 = { ...rcb, proof_of_space: { ...rcb.proof_of_space, version: 1, size: 0, plot_index: 3 } };
    expect(bodyMismatch({ ...tx, reward_chain_block: v1 })).toBeUndefined();
  });

  it('transaction-block markers that disagree', () => {
    const rcb = tx.reward_chain_block;
    expect(fullError({ ...tx, reward_chain_block: { ...rcb, is_transaction_block: false } }).message).toMatch(/height 101: .* disagree/);
    expect(fullError({ ...tx, transactions_info: null }).message).toMatch(/disagree/);
  });

  it('a broken prev-hash link inside a batch', () => {
    const blocks = [0, 1, 2].map(mainnetFull);
    const b1 = blocks[1]!;
    blocks[1] = { ...b1, foliage: { ...b1.foliage, prev_block_hash: flip(b1.foliage.prev_block_hash) } };
    const expected = toHex(headerHash(blocks[0]!));
    expect(() => checkBlocks(fullReply(blocks), 'RespondBlocks', 0, 2, noAnnouncements)).toThrow(
      new RegExp(`block at height 1 has foliage\\.prev_block_hash 0x[0-9a-f]{64}, but block 0 has header hash ${expected}`),
    );
    // Block 2 still names block 1's real hash: the link 1 → 2 breaks too, as block 1 now hashes differently.
    const headers = [10, 11, 12].map(mainnetHeader);
    headers.splice(1, 1, { ...headers[1]!, foliage: { ...headers[1]!.foliage, foliage_block_data_signature: flip(headers[1]!.foliage.foliage_block_data_signature, 5) } });
    expect(() => checkBlocks(headerReply(headers), 'RespondBlockHeaders', 10, 12, noAnnouncements)).toThrow(/block at height 12 has foliage\.prev_block_hash/);
  });
});

describe("the fake node's chain", () => {
  it('serves blocks and filtered headers that pass every check, reward chain included, before and after a reorg', () => {
    const chain = new FakeChain(new Uint8Array(32).fill(0xcc), 100);
    const check = () => {
      for (const start of [0, 33, chain.height - 32]) {
        const heights = Array.from({ length: 33 }, (_, i) => start + i);
        const full = checkBlocks(fullReply(heights.map((h) => chain.block(h))), 'RespondBlocks', start, start + 32, (h) => toHex(chain.headerHash(h)));
        expect(full.every((b) => b.value.reward_chain_block.proof_of_space.version === 0)).toBe(true);
        const headers = headerReply(heights.map((h) => chain.headerBlock(h, true)));
        expect(checkBlocks(headers, 'RespondBlockHeaders', start, start + 32, noAnnouncements)).toHaveLength(33);
      }
    };
    check();
    chain.reorg(10, 3);
    check();
  });
});
