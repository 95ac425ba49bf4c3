/** Header hash (PROTOCOL.md §g.2), coin id (§f.8) and spend bundle name (the transaction id). */
import { createHash } from 'node:crypto';
import { Coin, Foliage } from './block-components.js';
import type { FullBlock, HeaderBlock } from './blocks.js';
import { SpendBundle } from './protocol-shared.js';
import { Writer } from './writer.js';

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** sha256(serialized foliage): the block's header hash, equal for FullBlock and HeaderBlock. */
export function headerHash(block: Pick<FullBlock | HeaderBlock, 'foliage'>): Uint8Array {
  const w = new Writer();
  Foliage.write(w, block.foliage);
  return sha256(w.finish());
}

/** The amount as a minimal CLVM integer: big-endian, no redundant leading bytes, 0 → empty. */
function clvmUint(amount: bigint): Uint8Array {
  if (amount === 0n) return new Uint8Array(0);
  let hex = amount.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = '00' + hex;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** sha256(parent_coin_info ‖ puzzle_hash ‖ minimal CLVM amount) — not the streamable hash of Coin. */
export function coinId(coin: Coin): Uint8Array {
  Coin.write(new Writer(), coin); // validates the fields
  return new Uint8Array(
    createHash('sha256').update(coin.parent_coin_info).update(coin.puzzle_hash).update(clvmUint(coin.amount)).digest(),
  );
}

/** The spend bundle's name, the transaction id a node acks (transaction_ack.txid): sha256 of its streamable bytes (§g.2). */
export function spendBundleName(bundle: SpendBundle): Uint8Array {
  const w = new Writer();
  SpendBundle.write(w, bundle);
  return sha256(w.finish());
}
