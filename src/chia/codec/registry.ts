/** Every supported streamable class by name, and the class each message type carries. */
import * as components from './block-components.js';
import * as blocks from './blocks.js';
import type { Codec, Streamable, ValueOf } from './codec.js';
import { streamable } from './codec.js';
import { CodecError } from './errors.js';
import { type MessageName, MessageType } from './message-types.js';
import { ProofOfSpace } from './proof-of-space.js';
import * as fullNode from './protocol-full-node.js';
import * as shared from './protocol-shared.js';
import * as wallet from './protocol-wallet.js';
import * as weightProof from './weight-proof.js';

type Modules = typeof components & { ProofOfSpace: typeof ProofOfSpace } & typeof blocks & typeof fullNode & typeof shared & typeof wallet & typeof weightProof;
type CodecExports = { [K in keyof Modules as Modules[K] extends Codec<unknown> ? K : never]: Modules[K] };
/** The decoded value of every class, by class name: the export name, except ErrorMessage (class Error). */
type ClassValues = { [K in keyof CodecExports as K extends 'ErrorMessage' ? 'Error' : K]: ValueOf<CodecExports[K]> };
/** A supported streamable class name, as in vectors.json. */
type ClassName = keyof ClassValues;
type Registry = { readonly [C in ClassName]: Streamable<ClassValues[C]> };

function isCodec(v: unknown): v is Codec<unknown> {
  return typeof v === 'object' && v !== null && 'read' in v && 'write' in v && 'name' in v && 'minSize' in v;
}

function buildRegistry(): Record<string, Streamable<unknown>> {
  const out: Record<string, Streamable<unknown>> = {};
  for (const mod of [components, blocks, fullNode, shared, wallet, weightProof, { ProofOfSpace }]) {
    for (const v of Object.values(mod)) {
      if (isCodec(v)) out[v.name] = streamable(v);
    }
  }
  return out;
}

/**
 * Streamables keyed by class name as in vectors.json (e.g. types.FullBlock, types.Error). Built from
 * the modules' exports at load time; the type says which class each name holds (the one cast of it).
 */
export const types = buildRegistry() as unknown as Registry & { readonly [name: string]: Streamable<unknown> | undefined };

/** Message name → payload class name (PROTOCOL.md §e). */
const PAYLOAD_CLASS = {
  handshake: 'Handshake',
  error: 'Error',
  none_response: 'NoneResponse',
  configure_window_sizes: 'ConfigureWindowSizes',
  new_peak: 'NewPeak',
  new_transaction: 'NewTransaction',
  request_transaction: 'RequestTransaction',
  respond_transaction: 'RespondTransaction',
  request_proof_of_weight: 'RequestProofOfWeight',
  respond_proof_of_weight: 'RespondProofOfWeight',
  request_block: 'RequestBlock',
  respond_block: 'RespondBlock',
  reject_block: 'RejectBlock',
  request_blocks: 'RequestBlocks',
  respond_blocks: 'RespondBlocks',
  reject_blocks: 'RejectBlocks',
  new_unfinished_block: 'NewUnfinishedBlock',
  request_unfinished_block: 'RequestUnfinishedBlock',
  respond_unfinished_block: 'RespondUnfinishedBlock',
  new_signage_point_or_end_of_sub_slot: 'NewSignagePointOrEndOfSubSlot',
  request_signage_point_or_end_of_sub_slot: 'RequestSignagePointOrEndOfSubSlot',
  respond_signage_point: 'RespondSignagePoint',
  respond_end_of_sub_slot: 'RespondEndOfSubSlot',
  request_mempool_transactions: 'RequestMempoolTransactions',
  request_compact_vdf: 'RequestCompactVDF',
  respond_compact_vdf: 'RespondCompactVDF',
  new_compact_vdf: 'NewCompactVDF',
  request_peers: 'RequestPeers',
  respond_peers: 'RespondPeers',
  new_unfinished_block2: 'NewUnfinishedBlock2',
  request_unfinished_block2: 'RequestUnfinishedBlock2',
  request_puzzle_solution: 'RequestPuzzleSolution',
  respond_puzzle_solution: 'RespondPuzzleSolution',
  reject_puzzle_solution: 'RejectPuzzleSolution',
  send_transaction: 'SendTransaction',
  transaction_ack: 'TransactionAck',
  new_peak_wallet: 'NewPeakWallet',
  request_block_header: 'RequestBlockHeader',
  respond_block_header: 'RespondBlockHeader',
  reject_header_request: 'RejectHeaderRequest',
  request_removals: 'RequestRemovals',
  respond_removals: 'RespondRemovals',
  reject_removals_request: 'RejectRemovalsRequest',
  request_additions: 'RequestAdditions',
  respond_additions: 'RespondAdditions',
  reject_additions_request: 'RejectAdditionsRequest',
  request_header_blocks: 'RequestHeaderBlocks',
  reject_header_blocks: 'RejectHeaderBlocks',
  respond_header_blocks: 'RespondHeaderBlocks',
  request_peers_introducer: 'RequestPeersIntroducer',
  respond_peers_introducer: 'RespondPeersIntroducer',
  coin_state_update: 'CoinStateUpdate',
  register_for_ph_updates: 'RegisterForPhUpdates',
  respond_to_ph_updates: 'RespondToPhUpdates',
  register_for_coin_updates: 'RegisterForCoinUpdates',
  respond_to_coin_updates: 'RespondToCoinUpdates',
  request_children: 'RequestChildren',
  respond_children: 'RespondChildren',
  request_ses_hashes: 'RequestSESInfo',
  respond_ses_hashes: 'RespondSESInfo',
  request_block_headers: 'RequestBlockHeaders',
  reject_block_headers: 'RejectBlockHeaders',
  respond_block_headers: 'RespondBlockHeaders',
  request_fee_estimates: 'RequestFeeEstimates',
  respond_fee_estimates: 'RespondFeeEstimates',
  request_remove_puzzle_subscriptions: 'RequestRemovePuzzleSubscriptions',
  respond_remove_puzzle_subscriptions: 'RespondRemovePuzzleSubscriptions',
  request_remove_coin_subscriptions: 'RequestRemoveCoinSubscriptions',
  respond_remove_coin_subscriptions: 'RespondRemoveCoinSubscriptions',
  request_puzzle_state: 'RequestPuzzleState',
  respond_puzzle_state: 'RespondPuzzleState',
  reject_puzzle_state: 'RejectPuzzleState',
  request_coin_state: 'RequestCoinState',
  respond_coin_state: 'RespondCoinState',
  reject_coin_state: 'RejectCoinState',
  mempool_items_added: 'MempoolItemsAdded',
  mempool_items_removed: 'MempoolItemsRemoved',
  request_cost_info: 'RequestCostInfo',
  respond_cost_info: 'RespondCostInfo',
} as const satisfies Partial<Record<MessageName, ClassName>>;

/** A message whose payload the codec supports. */
export type PayloadName = keyof typeof PAYLOAD_CLASS;
/** The payload value of message `N`, e.g. `PayloadOf<'request_blocks'>` is a RequestBlocks. */
export type PayloadOf<N extends PayloadName> = ClassValues[(typeof PAYLOAD_CLASS)[N]];

const BY_ID = new Map<number, Streamable<unknown>>();
for (const [name, cls] of Object.entries(PAYLOAD_CLASS)) {
  const s = types[cls];
  if (s === undefined) throw new Error(`codec registry: no class ${cls} for ${name}`);
  BY_ID.set(MessageType[name as MessageName], s);
}

/** The class carried by a message id, or undefined when the codec does not support that message. */
export function payloadType(id: number): Streamable<unknown> | undefined {
  return BY_ID.get(id);
}

/** The payload class of message `name`, typed by the name. */
export function payloadCodec<N extends PayloadName>(name: N): Streamable<PayloadOf<N>> {
  const registry: Registry = types;
  const codec = registry[PAYLOAD_CLASS[name]];
  // Typed callers cannot get here; a JavaScript caller may pass any name.
  if (codec === undefined) throw new CodecError(`no payload codec for message ${String(name)}`, -1, 'Message');
  return codec;
}
