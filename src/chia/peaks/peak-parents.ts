/**
 * Learning a new peak's parent hash. new_peak and new_peak_wallet carry no parent hash (PROTOCOL.md
 * §e.3, §e.4), so when the tracker cannot relate a freshly connected peer's first peak to the best
 * (PeakTracker.needsParent), the follower asks the announcing link for that block once: its
 * foliage.prev_block_hash gives the height below, usually the previous best itself, which turns a
 * guessed 32-block fork into the true one. Announcements of one peer are processed in order behind
 * such a request (PerKeyQueue).
 */
import { MessageType, headerHash, toHex, type PayloadOf } from '../codec/index.js';
import { UpstreamError } from '../errors.js';
import { decodeReply, type PeerAnswer } from '../link/peer-reply.js';
import { NodeType } from '../protocol/message-rules.js';

/**
 * The longest a parent request may hold back its peak (capped by config.requestTimeoutMs). A node
 * that has the block it just announced answers within a round trip; past this the peak is emitted
 * with the guessed fork point rather than kept from consumers for a full request timeout.
 */
export const PARENT_TIMEOUT_MS = 5_000;

/** A request for one block, with its payload. */
export type ParentRequest =
  | { message: 'request_block_header'; payload: PayloadOf<'request_block_header'> }
  | { message: 'request_block'; payload: PayloadOf<'request_block'> };

/**
 * The request for the block at `height` that a link of `nodeType` may send (§d.2): a WALLET link
 * asks request_block_header, a FULL_NODE link request_block without the transactions generator.
 */
export function parentRequest(nodeType: number, height: number): ParentRequest {
  return nodeType === NodeType.WALLET
    ? { message: 'request_block_header', payload: { height } }
    : { message: 'request_block', payload: { height, include_transaction_block: false } };
}

/**
 * The parent hash (foliage.prev_block_hash) of the block in the answer to a parent request, once its
 * height and header hash match the announced peak (§g.2: the header hash covers the foliage, hence
 * the parent hash), so the parent is as trusted as the announcement.
 */
export function announcedParent(reply: PeerAnswer<ParentRequest['message']>, height: number, headerHashHex: string): string {
  const block = reply.type === MessageType.respond_block ? decodeReply(reply, 'respond_block').block : decodeReply(reply, 'respond_block_header').header_block;
  const hash = toHex(headerHash(block));
  if (block.reward_chain_block.height !== height || hash !== headerHashHex) {
    throw new UpstreamError('UPSTREAM_INVALID_REPLY', `${reply.peer}: asked for the announced block ${headerHashHex} at height ${height}, got ${hash} at height ${block.reward_chain_block.height}`, { peer: reply.peer });
  }
  return toHex(block.foliage.prev_block_hash);
}

/**
 * Runs tasks in order per key: a task runs at once when nothing is pending for its key (so the usual
 * synchronous path stays synchronous), otherwise after the pending ones have settled. A task that
 * returns a promise keeps its key busy until it settles; errors go to `onError`, never to the queue.
 */
export class PerKeyQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Runs `task` for `key` now or after the key's pending tasks. */
  run(key: string, task: () => Promise<void> | undefined): void {
    const tail = this.#tails.get(key);
    let pending: Promise<void> | undefined;
    if (tail !== undefined) pending = tail.then(task);
    else {
      try {
        pending = task();
      } catch (error) {
        this.#onError(error);
      }
    }
    if (pending === undefined) return;
    const settled: Promise<void> = pending
      .catch((error: unknown) => this.#onError(error))
      .finally(() => {
        if (this.#tails.get(key) === settled) this.#tails.delete(key);
      });
    this.#tails.set(key, settled);
  }

  /** Keys with a task pending. */
  get size(): number {
    return this.#tails.size;
  }
}
