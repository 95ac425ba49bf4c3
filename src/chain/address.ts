/**
 * Chia addresses: a puzzle hash in bech32m (BIP 350) with the network's prefix, `xch` on mainnet and
 * `txch` on every other network (testnet11, devnets), as the reference wallet encodes them
 * (chia-blockchain: chia/util/bech32m.py, encode_puzzle_hash). Wherever a client gives a puzzle hash
 * it may give an address of the configured network instead.
 */
import { bech32m } from '@scure/base';

const MAINNET_PREFIX = 'xch';
const TESTNET_PREFIX = 'txch';
const PUZZLE_HASH_BYTES = 32;
/** 32 bytes make 52 five-bit words; with prefix, separator and checksum an address stays far below this. */
const MAX_ADDRESS_LENGTH = 90;
const HEX_PUZZLE_HASH = /^0x[0-9a-f]{64}$/;

/** The address prefix of a network id. */
export function addressPrefix(network: string): string {
  return network === 'mainnet' ? MAINNET_PREFIX : TESTNET_PREFIX;
}

/** The address of a 0x puzzle hash on `network`. */
export function encodeAddress(puzzleHash: string, network: string): string {
  const bytes = Buffer.from(puzzleHash.slice(2), 'hex');
  return bech32m.encode(addressPrefix(network), bech32m.toWords(bytes), MAX_ADDRESS_LENGTH);
}

export type PuzzleHashParse = { ok: true; puzzleHash: string } | { ok: false; reason: string };

/**
 * A puzzle hash given as 0x hex (64 lowercase or uppercase digits) or as an address of `network`,
 * as 0x lowercase hex; or why it is neither (a wrong-network prefix names the expected one).
 */
export function parsePuzzleHash(text: string, network: string): PuzzleHashParse {
  const lower = text.toLowerCase();
  if (HEX_PUZZLE_HASH.test(lower)) return { ok: true, puzzleHash: lower };
  const expected = addressPrefix(network);
  const separator = lower.lastIndexOf('1');
  if (separator < 1 || lower.startsWith('0x')) {
    return { ok: false, reason: `expected 0x and 64 hex digits or an ${expected}1… address` };
  }
  const prefix = lower.slice(0, separator);
  if (prefix !== expected) {
    return { ok: false, reason: `an address of network ${network} starts with ${expected}1, not ${prefix}1` };
  }
  try {
    const { words } = bech32m.decode(text as `${string}1${string}`, MAX_ADDRESS_LENGTH);
    const bytes = bech32m.fromWords(words);
    if (bytes.length !== PUZZLE_HASH_BYTES) return { ok: false, reason: `an address holds 32 bytes, this one ${bytes.length}` };
    return { ok: true, puzzleHash: `0x${Buffer.from(bytes).toString('hex')}` };
  } catch {
    return { ok: false, reason: 'not a valid bech32m address (checksum or characters)' };
  }
}
