/** One connected live subscriber, as the peak hub and the coin hub keep it. */
import type { CoinKeys } from './coin-feed.js';
import type { QueuedEvent } from './live-events.js';
import type { LiveSink } from './live-sink.js';
import type { MessageBudget } from './message-budget.js';

export interface LiveClient {
  readonly sink: LiveSink;
  /** Receives live peaks. True from connect: hello is followed by live peaks without a subscribe. */
  subscribed: boolean;
  /** Stream position (seq) of the newest event sent to this client. */
  lastSentSeq: number | null;
  /** The client has every event after this position (null: unknown, after an unsubscribe). */
  contiguousAfter: number | null;
  /** The client's address (request.ip) counted against the per-IP cap; null: not counted. */
  readonly ip: string | null;
  /** Epoch ms before which a replay is refused (see PeakHubOptions.replayIntervalMs). */
  replayAllowedAt: number;
  /** What the client may still send; null: no budget. */
  readonly budget: MessageBudget | null;
  /** The client's coin subscription (its keys), or null. */
  coins: CoinKeys | null;
  /**
   * While a coin resume is read from the chain, the events for this client wait here in order (then
   * they follow the resume); null otherwise.
   */
  pending: QueuedEvent[] | null;
  /** Bytes waiting in `pending`, bounded like the send buffer. */
  pendingBytes: number;
  /**
   * The height the client's last coin resume read the chain up to (−1: none): a coin event of a block
   * at or below it that arrives later (its hints took a while to resolve) is already covered.
   */
  coinsCovered: number;
}
