/**
 * Devnet coin activity (the `devnet` option, `npm run demo`): before every transaction block, a new
 * coin arrives at DEVNET_PUZZLE_HASH and its oldest unspent coin is spent, half back to itself and
 * half to DEVNET_RECIPIENT_PUZZLE_HASH hinted to DEVNET_PUZZLE_HASH, so a page watching the one
 * address sees coins arrive, get spent, and hinted coins appear, live.
 */
import { sha256 } from './byte-patcher.js';
import { BlockTemplate } from './block-template.js';
import type { FakeChain } from './chain.js';
import { IDENTITY_PUZZLE, treeHash } from './clvm.js';

/** The identity puzzle's hash: coins anyone can spend by listing conditions in the solution. */
export const DEVNET_PUZZLE_HASH: Uint8Array = treeHash(IDENTITY_PUZZLE);
/** Where half of every devnet spend goes, hinted to DEVNET_PUZZLE_HASH. */
export const DEVNET_RECIPIENT_PUZZLE_HASH: Uint8Array = sha256(Buffer.from('chia-peer-gateway devnet recipient'));
/** Amounts of the arriving coins: 1 … AMOUNT_STEPS × AMOUNT_UNIT mojos, cycling. */
const AMOUNT_UNIT = 1_000_000_000n;
const AMOUNT_STEPS = 10;
const HALF = 2n;

/** Queues the devnet coin activity when the next block is a transaction block. */
export function devnetActivity(chain: FakeChain, produced: number): void {
  if (!BlockTemplate.isTransactionBlock(chain.height + 1)) return;
  const oldest = chain.coins.unspentOf(DEVNET_PUZZLE_HASH).find((r) => !chain.mempool.spends(r.id));
  if (oldest !== undefined) {
    const half = oldest.coin.amount / HALF;
    chain.spendCoin(oldest.id, [
      { puzzle_hash: DEVNET_PUZZLE_HASH, amount: half },
      { puzzle_hash: DEVNET_RECIPIENT_PUZZLE_HASH, amount: oldest.coin.amount - half, hint: DEVNET_PUZZLE_HASH },
    ]);
  }
  chain.addCoin({ puzzle_hash: DEVNET_PUZZLE_HASH, amount: AMOUNT_UNIT * BigInt(1 + (produced % AMOUNT_STEPS)) });
}
