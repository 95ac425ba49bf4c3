/**
 * The inbound message budget of one live client (ws.messageRate, ws.messageBurst): a burst of
 * messages at once, then a steady rate. Each message costs the gateway a parse and usually an
 * answer, so a client sending without pause would otherwise take the event loop from everyone.
 * A generic cell rate algorithm (one timestamp, no timer): the state is the time at which the
 * budget would be whole again were no message sent.
 */

const MS_PER_SECOND = 1_000;

export interface MessageLimits {
  /** Messages per second, on average. */
  rate: number;
  /** Messages at once (the budget when full). */
  burst: number;
}

export class MessageBudget {
  /** Time between two messages at the steady rate. */
  readonly #interval: number;
  /** How far ahead of now the budget may be spent: the burst beyond the first message. */
  readonly #tolerance: number;
  /** When the budget, as spent so far, is whole again. */
  #fullAt = -Infinity;

  constructor(readonly limits: MessageLimits) {
    if (!(limits.rate > 0) || !Number.isInteger(limits.burst) || limits.burst < 1) {
      throw new RangeError('a message budget needs a positive rate and a burst of at least 1');
    }
    this.#interval = MS_PER_SECOND / limits.rate;
    this.#tolerance = (limits.burst - 1) * this.#interval;
  }

  /** Spends one message at time `now` (ms); false, spending nothing, when the budget is used up. */
  take(now: number): boolean {
    const from = Math.max(this.#fullAt, now);
    if (from - now > this.#tolerance) return false;
    this.#fullAt = from + this.#interval;
    return true;
  }
}
