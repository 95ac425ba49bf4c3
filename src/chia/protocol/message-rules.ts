/**
 * Who may send what, and which replies a request may get, as data (PROTOCOL.md §d.2, §e.2).
 * A full node closes (1002, "1") and bans for 10 s any peer that sends a message its declared node
 * type may not send (§d.1), so links check this table before every send.
 */
import { MessageType, messageName, type MessageName, type PayloadName } from '../codec/index.js';

/** NodeType values of the handshake (PROTOCOL.md §c.1). */
export const NodeType = {
  FULL_NODE: 1,
  HARVESTER: 2,
  FARMER: 3,
  TIMELORD: 4,
  INTRODUCER: 5,
  WALLET: 6,
  DATA_LAYER: 7,
  SOLVER: 8,
} as const;
export type NodeTypeValue = (typeof NodeType)[keyof typeof NodeType];

const { FULL_NODE: F, WALLET: W, FARMER: FA, INTRODUCER: I } = NodeType;
const ALL = Object.values(NodeType);

/** Allowed senders of each message *to a full node* (§d.2). Messages absent here may not be sent by anyone. */
export const ALLOWED_SENDERS: Readonly<Record<string, readonly NodeTypeValue[]>> = {
  handshake: ALL,
  configure_window_sizes: ALL,
  error: ALL,
  none_response: [],
  new_peak: [F],
  new_transaction: [F],
  request_transaction: [F],
  respond_transaction: [F],
  request_proof_of_weight: [W, F],
  respond_proof_of_weight: [F],
  request_block: [F],
  respond_block: [F],
  reject_block: [F],
  request_blocks: [F],
  respond_blocks: [F],
  reject_blocks: [F],
  new_unfinished_block: [F],
  new_unfinished_block2: [F],
  request_unfinished_block: [F],
  request_unfinished_block2: [F],
  respond_unfinished_block: [F],
  new_signage_point_or_end_of_sub_slot: [F],
  request_signage_point_or_end_of_sub_slot: [F],
  respond_signage_point: [F],
  respond_end_of_sub_slot: [F],
  request_mempool_transactions: [F],
  request_compact_vdf: [F],
  respond_compact_vdf: [F],
  new_compact_vdf: [F],
  request_peers: [W, F],
  respond_peers: [F],
  request_puzzle_solution: [W],
  send_transaction: [W],
  request_block_header: [W],
  request_removals: [W],
  request_additions: [W],
  request_header_blocks: [W],
  request_peers_introducer: [W, FA, F],
  respond_peers_introducer: [I],
  register_for_ph_updates: [W],
  register_for_coin_updates: [W],
  request_children: [W],
  request_ses_hashes: [W],
  request_block_headers: [W],
  request_fee_estimates: [W],
  request_remove_puzzle_subscriptions: [W],
  request_remove_coin_subscriptions: [W],
  request_puzzle_state: [W],
  request_coin_state: [W],
  request_cost_info: [W],
  farm_new_block: [F],
};

/** True when a peer of `nodeType` may send message `messageId` to a full node. */
export function maySend(nodeType: number, messageId: number): boolean {
  const name = messageName(messageId);
  const senders = name === undefined ? undefined : ALLOWED_SENDERS[name];
  return senders !== undefined && (senders as readonly number[]).includes(nodeType);
}

interface ReplyRule {
  ok: readonly PayloadName[];
  reject: readonly PayloadName[];
}

/** Replies each request may get (§e.2; VALID_REPLY_MESSAGE_MAP). `error` (255) is valid for any request. */
export const REPLIES = {
  request_block: { ok: ['respond_block'], reject: ['reject_block'] },
  request_blocks: { ok: ['respond_blocks'], reject: ['reject_blocks'] },
  request_block_header: { ok: ['respond_block_header'], reject: ['reject_header_request'] },
  // Legacy peers may answer 86 with reject_header_blocks (61).
  request_block_headers: { ok: ['respond_block_headers'], reject: ['reject_block_headers', 'reject_header_blocks'] },
  request_header_blocks: { ok: ['respond_header_blocks'], reject: ['reject_header_blocks', 'reject_block_headers'] },
  request_additions: { ok: ['respond_additions'], reject: ['reject_additions_request'] },
  request_removals: { ok: ['respond_removals'], reject: ['reject_removals_request'] },
  request_puzzle_solution: { ok: ['respond_puzzle_solution'], reject: ['reject_puzzle_solution'] },
  request_children: { ok: ['respond_children'], reject: [] },
  request_ses_hashes: { ok: ['respond_ses_hashes'], reject: [] },
  request_coin_state: { ok: ['respond_coin_state'], reject: ['reject_coin_state'] },
  request_puzzle_state: { ok: ['respond_puzzle_state'], reject: ['reject_puzzle_state'] },
  register_for_ph_updates: { ok: ['respond_to_ph_updates'], reject: [] },
  register_for_coin_updates: { ok: ['respond_to_coin_updates'], reject: [] },
  request_remove_puzzle_subscriptions: { ok: ['respond_remove_puzzle_subscriptions'], reject: [] },
  request_remove_coin_subscriptions: { ok: ['respond_remove_coin_subscriptions'], reject: [] },
  request_fee_estimates: { ok: ['respond_fee_estimates'], reject: [] },
  request_cost_info: { ok: ['respond_cost_info'], reject: [] },
  send_transaction: { ok: ['transaction_ack'], reject: [] },
  request_peers: { ok: ['respond_peers'], reject: [] },
  request_proof_of_weight: { ok: ['respond_proof_of_weight'], reject: [] },
  request_transaction: { ok: ['respond_transaction'], reject: [] },
} as const satisfies Partial<Record<PayloadName, ReplyRule>>;

/** A request: a message that expects an answer (§e.2). */
export type RequestName = keyof typeof REPLIES;
/** The messages that answer request N (§e.2). */
export type OkReplyName<N extends RequestName> = (typeof REPLIES)[N]['ok'][number];
/** The messages that refuse request N: its rejects, and `error`, valid for any request (§e.1). */
export type RejectReplyName<N extends RequestName> = (typeof REPLIES)[N]['reject'][number] | 'error';
/** The reply table typed per request, so a rule looked up by a generic request name keeps its names. */
const RULES: { readonly [N in RequestName]: { ok: readonly OkReplyName<N>[]; reject: readonly RejectReplyName<N>[] } } = REPLIES;
/** The message id of message M. */
export type TypeId<M extends MessageName> = (typeof MessageType)[M];

/** An answer to request N: a message of a type that answers it, with its payload bytes. */
export interface Answer<N extends RequestName = RequestName> {
  kind: 'ok';
  type: TypeId<OkReplyName<N>>;
  data: Uint8Array;
}
/** A refusal of request N: one of its rejects, or `error`. */
export interface Refusal<N extends RequestName = RequestName> {
  kind: 'reject';
  type: TypeId<RejectReplyName<N>>;
  data: Uint8Array;
}
/** A reply to request N, of a type the reply table allows. */
export type Reply<N extends RequestName = RequestName> = Answer<N> | Refusal<N>;

/** Whether message id `type` is one of `names`. */
function isOneOf<M extends MessageName>(names: readonly M[], type: number): type is TypeId<M> {
  return names.some((name) => MessageType[name] === type);
}

/** Message `type` with payload `data` as a reply to request `request`, or undefined when that type may not answer it. */
export function replyTo<N extends RequestName>(request: N, type: number, data: Uint8Array): Reply<N> | undefined {
  const rule = RULES[request];
  if (isOneOf(rule.ok, type)) return { kind: 'ok', type, data };
  if (isOneOf([...rule.reject, 'error'], type)) return { kind: 'reject', type, data };
  return undefined;
}
