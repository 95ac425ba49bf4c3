/**
 * Replies as the upstream hands them on: typed by their request (the reply table, PROTOCOL.md §e.2),
 * with the peer that sent them; an answer decodes by the name of the message it is, a refusal turns
 * into UPSTREAM_REJECTED.
 */
import { MessageType, messageName, payloadCodec, types, type MessageName, type PayloadName, type PayloadOf } from '../codec/index.js';
import { UpstreamError, type UpstreamErrorCode } from '../errors.js';
import type { Answer, Reply, RequestName, TypeId } from '../protocol/message-rules.js';

/** A reply to request N with the address of the peer that sent it. */
export type PeerReply<N extends RequestName = RequestName> = Reply<N> & { peer: string };
/** An answer to request N with the address of the peer that sent it. */
export type PeerAnswer<N extends RequestName = RequestName> = Answer<N> & { peer: string };

/** The messages whose id is one of T (with a payload codec): what a reply of type T may be decoded as. */
type PayloadNameOfId<T extends number> = Extract<{ [M in MessageName]: TypeId<M> extends T ? M : never }[MessageName], PayloadName>;

/**
 * The payload of answer `reply` as message `name`, which must be a message its type allows: for the
 * answer to a request, one that answers that request (so another is a compile error). A reply of
 * another type at run time, or undecodable bytes, is UPSTREAM_INVALID_REPLY.
 */
export function decodeReply<T extends number, R extends PayloadNameOfId<T>>(reply: { kind: 'ok'; type: T; data: Uint8Array; peer: string }, name: R): PayloadOf<R> {
  if (reply.type !== MessageType[name]) {
    throw new UpstreamError('UPSTREAM_INVALID_REPLY', `${reply.peer} answered with ${messageName(reply.type)}, not ${name}`, { peer: reply.peer });
  }
  const codec = payloadCodec(name);
  try {
    return codec.decode(reply.data);
  } catch (cause) {
    throw new UpstreamError('UPSTREAM_INVALID_REPLY', `${reply.peer} sent an undecodable ${codec.name}`, { cause, peer: reply.peer });
  }
}

/** RejectStateReason of reject_puzzle_state / reject_coin_state (§e.4), as error codes. */
const STATE_REJECT_CODES: readonly UpstreamErrorCode[] = ['STATE_REORG', 'SUBSCRIPTION_LIMIT'];

/**
 * The error for a refusal: a reject message, or an `error` message (§e.1). A coin- or puzzle-state
 * reject says why, and its reason is its code.
 */
export function rejectError(reply: PeerReply, request: RequestName): UpstreamError {
  const name = messageName(reply.type) ?? String(reply.type);
  if (reply.type === MessageType.reject_puzzle_state || reply.type === MessageType.reject_coin_state) {
    let code: UpstreamErrorCode | undefined;
    try {
      code = STATE_REJECT_CODES[types.RejectPuzzleState.decode(reply.data).reason];
    } catch {
      code = undefined;
    }
    if (code !== undefined) return new UpstreamError(code, `${reply.peer} answered ${request} with ${name} (${code})`, { peer: reply.peer });
  }
  let detail = '';
  if (reply.type === MessageType.error) {
    try {
      const err = types.Error.decode(reply.data);
      detail = `: error ${err.code} ${err.message}`;
    } catch {
      detail = ': undecodable error message';
    }
  }
  return new UpstreamError('UPSTREAM_REJECTED', `${reply.peer} answered ${request} with ${name}${detail}`, { peer: reply.peer });
}
