/**
 * Replies as the upstream hands them on: typed by their request (the reply table, PROTOCOL.md §e.2),
 * with the peer that sent them; an answer decodes by the name of the message it is, a refusal turns
 * into UPSTREAM_REJECTED.
 */
import { MessageType, messageName, payloadCodec, types, type PayloadOf } from '../codec/index.js';
import { UpstreamError } from '../errors.js';
import type { Answer, OkReplyName, Reply, RequestName } from '../protocol/message-rules.js';

/** A reply to request N with the address of the peer that sent it. */
export type PeerReply<N extends RequestName = RequestName> = Reply<N> & { peer: string };
/** An answer to request N with the address of the peer that sent it. */
export type PeerAnswer<N extends RequestName = RequestName> = Answer<N> & { peer: string };

/** The payload of `reply`, which must be message `name`, one of those that answer its request; anything else is UPSTREAM_INVALID_REPLY. */
export function decodeReply<N extends RequestName, R extends OkReplyName<N>>(reply: PeerAnswer<N>, name: R): PayloadOf<R> {
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

/** The error for a refusal: a reject message, or an `error` message (§e.1). */
export function rejectError(reply: PeerReply, request: RequestName): UpstreamError {
  const name = messageName(reply.type) ?? String(reply.type);
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
