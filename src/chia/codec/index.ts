/**
 * Chia peer-protocol codec: frames, every streamable payload the gateway uses, blocks, JSON
 * renderings and hashes. Pure: bytes in, values out. See README.md in this directory.
 */
export { CodecError } from './errors.js';
export type { Codec, JsonMode, Streamable, ValueOf } from './codec.js';
export { toHex, fromHex } from './hex.js';
export { parseJson, stringifyJson } from './json.js';
export { MessageType, messageName, type MessageName } from './message-types.js';
export { types, payloadType, payloadCodec, type ClassName, type PayloadName, type PayloadOf } from './registry.js';
export { encodeFrame, decodeFrame, encodeMessage, type Frame } from './frame.js';
export { decodeBlockList, type BlockList, type BlockListKind } from './block-list.js';
export { headerHash, coinId, sha256 } from './hashes.js';
export { clvmEnd } from './clvm-length.js';
export type { ProofOfSpace } from './proof-of-space.js';
export type {
  ChallengeChainSubSlot,
  ClassgroupElement,
  Coin,
  EndOfSubSlotBundle,
  Foliage,
  FoliageBlockData,
  FoliageTransactionBlock,
  InfusedChallengeChainSubSlot,
  PoolTarget,
  RewardChainBlock,
  RewardChainBlockUnfinished,
  RewardChainSubSlot,
  SubEpochSummary,
  SubSlotProofs,
  TransactionsInfo,
  VDFInfo,
  VDFProof,
} from './block-components.js';
export type { FullBlock, HeaderBlock, UnfinishedBlock } from './blocks.js';
export type { WeightProof, SubEpochData, SubSlotData, SubEpochChallengeSegment } from './weight-proof.js';
export type {
  ConfigureWindowSizes,
  CoinSpend,
  CoinState,
  ErrorMessage,
  Handshake,
  RespondPeersIntroducer,
  SpendBundle,
  TimestampedPeerInfo,
} from './protocol-shared.js';
export type {
  NewPeak,
  NewSignagePointOrEndOfSubSlot,
  NewTransaction,
  NewUnfinishedBlock2,
  RejectBlock,
  RejectBlocks,
  RequestBlock,
  RequestBlocks,
  RequestMempoolTransactions,
  RespondBlock,
  RespondBlocks,
  RespondPeers,
} from './protocol-full-node.js';
export type {
  CoinStateFilters,
  CoinStateUpdate,
  NewPeakWallet,
  PuzzleSolutionResponse,
  RespondAdditions,
  RespondBlockHeader,
  RespondBlockHeaders,
  RespondHeaderBlocks,
  RespondRemovals,
  TransactionAck,
} from './protocol-wallet.js';
