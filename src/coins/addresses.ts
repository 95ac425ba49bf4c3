/**
 * Puzzle hashes and their addresses: a Chia address is the bech32m encoding of a 32-byte puzzle hash
 * with the network's prefix (PROTOCOL.md §i.1: `xch` on mainnet, `txch` on testnet11; test and private
 * networks use `txch` as the reference wallet does). Wherever the API takes a puzzle hash it takes the
 * configured network's address too; an address of another network is refused, naming the expected prefix.
 */
import { bech32m } from '@scure/base';
import { fromHex, toHex } from '../chia/index.js';
import { ApiError } from '../http/errors.js';
import { quote } from '../live/quote.js';

const MAINNET_PREFIX = 'xch';
const TESTNET_PREFIX = 'txch';
const PUZZLE_HASH_BYTES = 32;
/** bech32m caps a string at 90 characters by default; an address of 32 bytes is 62 or 63. */
const MAX_ADDRESS_LENGTH = 90;
const HEX_32 = /^(0x)?[0-9a-fA-F]{64}$/;

/** The address prefix of a network id. */
export function addressPrefix(network: string): string {
  return network === 'mainnet' ? MAINNET_PREFIX : TESTNET_PREFIX;
}

/** The address of a puzzle hash (0x hex or bytes) on the network with `prefix`. */
export function toAddress(puzzleHash: string | Uint8Array, prefix: string): string {
  const bytes = typeof puzzleHash === 'string' ? fromHex(puzzleHash) : puzzleHash;
  return bech32m.encode(prefix, bech32m.toWords(bytes), MAX_ADDRESS_LENGTH);
}

/** A 32-byte id in 0x-prefixed lowercase hex, from hex with or without 0x, any case; null when it is not one. */
export function normalHex32(value: string): string | null {
  if (!HEX_32.test(value)) return null;
  return `0x${value.replace(/^0x/, '').toLowerCase()}`;
}

/**
 * The puzzle hash (0x lowercase hex) a client gave as hex or as an address of the network with `prefix`;
 * ADDRESS_INVALID when it is neither, ADDRESS_WRONG_NETWORK for another network's address.
 */
export function puzzleHashOf(value: string, prefix: string): string {
  const hex = normalHex32(value);
  if (hex !== null) return hex;
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32m.decode(value as `${string}1${string}`, MAX_ADDRESS_LENGTH);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError('ADDRESS_INVALID', { value: quote(value), reason }, { cause: error });
  }
  if (decoded.prefix !== prefix) {
    throw new ApiError('ADDRESS_WRONG_NETWORK', { address: quote(value), prefix: decoded.prefix, expected: prefix });
  }
  const bytes = bech32m.fromWordsUnsafe(decoded.words);
  if (bytes === undefined || bytes.length !== PUZZLE_HASH_BYTES) {
    throw new ApiError('ADDRESS_INVALID', { value: quote(value), reason: `it encodes ${bytes?.length ?? 'no whole'} bytes, not 32` });
  }
  return toHex(bytes);
}
