/**
 * Chia peer-protocol codec: frames, every streamable payload the gateway uses, blocks, JSON
 * renderings and hashes. Pure: bytes in, values out. See README.md in this directory. Any payload's
 * value type is PayloadOf<message name>; the block types below are named for the layers that render them.
 */
export { CodecError } from './errors.js';
export type { JsonMode, Streamable } from './codec.js';
export { toHex, fromHex } from './hex.js';
export { parseJson, stringifyJson } from './json.js';
export { MessageType, messageName, type MessageName } from './message-types.js';
export { types, payloadType, payloadCodec, type PayloadName, type PayloadOf } from './registry.js';
export { encodeFrame, decodeFrame, encodeMessage, type Frame } from './frame.js';
export { decodeBlockList, type BlockList } from './block-list.js';
export { headerHash, coinId, sha256, spendBundleName } from './hashes.js';
export { clvmEnd } from './clvm-length.js';
export type { Coin, Foliage, FoliageTransactionBlock, RewardChainBlock, RewardChainBlockUnfinished, TransactionsInfo } from './block-components.js';
export type { FullBlock, HeaderBlock } from './blocks.js';
export type { CoinState, Handshake, SpendBundle } from './protocol-shared.js';
export type { RespondBlock } from './protocol-full-node.js';
export type { CoinStateFilters, FeeEstimateGroup, PuzzleSolutionResponse, RespondAdditions, RespondRemovals } from './protocol-wallet.js';
