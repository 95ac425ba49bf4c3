/**
 * Coins a test can spend on the strict fake node: the identity puzzle, which the fake node "runs"
 * (its solution is the conditions), with no conditions and no signature, and a step of the node's
 * chain that the gateway is seen to follow.
 */
import { sha256, toHex, type Coin } from '../../src/chia/index.js';
import type { FakeNode } from '../../fake-node/index.js';
import type { AppOverNodes } from './app-over-nodes.js';
import { eventually } from './eventually.js';

/** sha256(0x01 ‖ 0x01): the tree hash of the identity puzzle `1`. */
export const IDENTITY_PUZZLE_HASH = sha256(Uint8Array.of(1, 1));
/** The empty CLVM list `()`: an identity-puzzle solution with no conditions. */
export const NO_CONDITIONS = '0x80';
/** The BLS identity (point at infinity) in compressed form: the fake node checks no signature. */
export const NO_SIGNATURE = `0xc0${'00'.repeat(95)}`;

/** A coin as the node RPC writes it (amounts of these small test coins fit a JSON number). */
export const coinJson = (coin: Coin) => ({ parent_coin_info: toHex(coin.parent_coin_info), puzzle_hash: toHex(coin.puzzle_hash), amount: Number(coin.amount) });

/** A spend bundle (node RPC JSON) spending `coin`, created with the identity puzzle, with no conditions. */
export const identitySpend = (coin: ReturnType<typeof coinJson>) => ({
  coin_spends: [{ coin, puzzle_reveal: '0x01', solution: NO_CONDITIONS }],
  aggregated_signature: NO_SIGNATURE,
});

/** Makes the node's next transaction block and waits until the gateway follows it; its height. */
export async function nextTransactionBlock(node: FakeNode, gateway: AppOverNodes): Promise<number> {
  const height = node.chain.addTransactionBlock().height;
  await eventually('the gateway follows the new peak', () => gateway.app.upstream.peak()?.height === height);
  return height;
}
