/**
 * Binds a received block's body to its foliage (PROTOCOL.md §g.3 steps 2–5): once the header hash
 * (sha256 of the foliage) is trusted, every field checked here is trusted too, so a peer cannot serve
 * altered transactions, generators, filters or reward-chain data under a correct header hash.
 * Signatures, VDF proofs and sub-slot bundles are beyond a gateway's scope (§g.3 step 6).
 */
import { sha256, toHex, types } from '../codec/index.js';
import type { FullBlock, HeaderBlock, RewardChainBlock, RewardChainBlockUnfinished } from '../codec/index.js';

const HASH_SIZE = 32;
/** generator_root of a block without a generator (§g.3 step 3). */
const NO_GENERATOR_ROOT = new Uint8Array(HASH_SIZE);
/** generator_refs_root of an empty ref list (§g.3 step 3). */
export const EMPTY_REFS_ROOT = new Uint8Array(HASH_SIZE).fill(1);
/** The encoded empty BIP158 filter: a non-transaction block's transactions_filter, and any block's when none was asked for (§e.5, §f.7). */
export const EMPTY_FILTER = Uint8Array.of(0);
/** ProofOfSpace version whose hash is plain sha256 of its bytes; v1 (v2 plots) needs quality strings (§g.2). */
const PLAIN_HASH_POS_VERSION = 0;

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** "<what> hashes to <actual>, but <field> is <expected>" when `data` does not hash to `expected`. */
function hashMismatch(data: Uint8Array, expected: Uint8Array, what: string, field: string): string | undefined {
  const actual = sha256(data);
  return equal(actual, expected) ? undefined : `${what} hashes to ${toHex(actual)}, but ${field} is ${toHex(expected)}`;
}

/** The generator refs as concatenated u32 big-endian, the preimage of generator_refs_root. */
function refsBytes(refs: readonly number[]): Uint8Array {
  const out = new Uint8Array(refs.length * 4);
  const view = new DataView(out.buffer);
  refs.forEach((r, i) => view.setUint32(i * 4, r));
  return out;
}

/** The RewardChainBlockUnfinished a finished reward chain block was made from (hashed into the foliage, §g.3 step 5). */
export function unfinishedOf(rcb: RewardChainBlock): RewardChainBlockUnfinished {
  return {
    total_iters: rcb.total_iters,
    signage_point_index: rcb.signage_point_index,
    pos_ss_cc_challenge_hash: rcb.pos_ss_cc_challenge_hash,
    proof_of_space: rcb.proof_of_space,
    challenge_chain_sp_vdf: rcb.challenge_chain_sp_vdf,
    challenge_chain_sp_signature: rcb.challenge_chain_sp_signature,
    reward_chain_sp_vdf: rcb.reward_chain_sp_vdf,
    reward_chain_sp_signature: rcb.reward_chain_sp_signature,
  };
}

/** Step 5: reward_block_hash and unfinished_reward_block_hash, for version-0 proofs only. */
function rewardMismatch(block: FullBlock | HeaderBlock): string | undefined {
  const rcb = block.reward_chain_block;
  if (rcb.proof_of_space.version !== PLAIN_HASH_POS_VERSION) return undefined;
  return (
    hashMismatch(types.RewardChainBlock.encode(rcb), block.foliage.reward_block_hash, 'reward_chain_block', 'foliage.reward_block_hash') ??
    hashMismatch(
      types.RewardChainBlockUnfinished.encode(unfinishedOf(rcb)),
      block.foliage.foliage_block_data.unfinished_reward_block_hash,
      'the unfinished reward_chain_block',
      'foliage.foliage_block_data.unfinished_reward_block_hash',
    )
  );
}

/** Step 3: the generator section against transactions_info (a non-transaction block has neither). */
function generatorMismatch(block: FullBlock): string | undefined {
  const generator = block.version === 0 ? block.transactions_generator : block.transactions_generator_buffer;
  const refs = block.transactions_generator_ref_list;
  const info = block.transactions_info;
  if (info === null) {
    return generator === null && refs.length === 0 ? undefined : 'a non-transaction block carries a generator or generator refs';
  }
  const root = generator === null ? NO_GENERATOR_ROOT : sha256(generator);
  if (!equal(root, info.generator_root)) {
    const what = generator === null ? 'there is no generator' : `the generator (${generator.length} bytes) hashes to ${toHex(root)}`;
    return `${what}, but transactions_info.generator_root is ${toHex(info.generator_root)}`;
  }
  const refsRoot = refs.length === 0 ? EMPTY_REFS_ROOT : sha256(refsBytes(refs));
  if (!equal(refsRoot, info.generator_refs_root)) {
    return `the ${refs.length} generator refs give root ${toHex(refsRoot)}, but transactions_info.generator_refs_root is ${toHex(info.generator_refs_root)}`;
  }
  return undefined;
}

/** Steps 2 and 4: foliage → foliage_transaction_block → transactions_info (and the filter of a HeaderBlock). */
function transactionMismatch(block: FullBlock | HeaderBlock): string | undefined {
  const { foliage, foliage_transaction_block: ftb, transactions_info: info } = block;
  const ftbHash = foliage.foliage_transaction_block_hash;
  const isTx = ftbHash !== null;
  if (block.reward_chain_block.is_transaction_block !== isTx || (ftb !== null) !== isTx || (info !== null) !== isTx) {
    return 'reward_chain_block.is_transaction_block, foliage.foliage_transaction_block_hash, foliage_transaction_block and transactions_info disagree on whether this is a transaction block';
  }
  const filter = 'transactions_filter' in block ? block.transactions_filter : undefined;
  if (ftbHash === null || ftb === null || info === null) {
    return filter === undefined || equal(filter, EMPTY_FILTER) ? undefined : 'a non-transaction block carries a transactions_filter other than 0x00';
  }
  return (
    hashMismatch(types.FoliageTransactionBlock.encode(ftb), ftbHash, 'foliage_transaction_block', 'foliage.foliage_transaction_block_hash') ??
    hashMismatch(types.TransactionsInfo.encode(info), ftb.transactions_info_hash, 'transactions_info', 'foliage_transaction_block.transactions_info_hash') ??
    (filter === undefined ? undefined : hashMismatch(filter, ftb.filter_hash, 'transactions_filter', 'foliage_transaction_block.filter_hash'))
  );
}

/**
 * What in `block` does not match its foliage, or undefined when everything does. Full blocks must
 * carry their generator (requested with include_transaction_block) and header blocks their filter
 * (requested with return_filter), since a stripped generator or a 0x00 filter no longer matches.
 */
export function bodyMismatch(block: FullBlock | HeaderBlock): string | undefined {
  return (
    transactionMismatch(block) ??
    ('transactions_filter' in block ? undefined : generatorMismatch(block)) ??
    rewardMismatch(block)
  );
}
