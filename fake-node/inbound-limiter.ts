/**
 * The node's inbound v1/v2 limiter for one connection (PROTOCOL.md §h.1): fixed buckets (not
 * sliding), counters that grow even for messages that break a limit, the per-type count / size /
 * total checks at 100 % and the aggregate ("non-tx") limit. No localhost exemption: the fake node
 * always enforces, so a client that passes here passes a remote node too.
 */
import { AGGREGATE_LIMIT, INBOUND_RATE_LIMIT_SHARE } from '../src/chia/protocol/limits.js';
import { rateLimitOf, type RateLimit } from '../src/chia/protocol/rate-limits.js';

export class InboundLimiter {
  #bucket = -1;
  #counts = new Map<string, number>();
  #sizes = new Map<string, number>();
  #aggregateCount = 0;
  #aggregateSize = 0;

  constructor(
    private readonly windowMs: number,
    private readonly limitOf: (name: string) => RateLimit | undefined = rateLimitOf,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one inbound message; returns why it breaks a limit, or null when it is within them. */
  check(name: string, dataLength: number): string | null {
    const bucket = Math.floor(this.now() / this.windowMs);
    if (bucket !== this.#bucket) {
      this.#bucket = bucket;
      this.#counts.clear();
      this.#sizes.clear();
      this.#aggregateCount = 0;
      this.#aggregateSize = 0;
    }
    const count = (this.#counts.get(name) ?? 0) + 1;
    const size = (this.#sizes.get(name) ?? 0) + dataLength;
    this.#counts.set(name, count);
    this.#sizes.set(name, size);
    const limit = this.limitOf(name);
    // Every message type has a v1 entry on the node; a name outside the table is refused earlier ("-4").
    if (limit === undefined) return null;
    if (limit.frequency === null) return dataLength > limit.maxSize ? `${name}: ${dataLength} B > max_size ${limit.maxSize}` : null;
    if (limit.aggregate) {
      this.#aggregateCount += 1;
      this.#aggregateSize += dataLength;
      if (this.#aggregateCount > AGGREGATE_LIMIT.frequency * INBOUND_RATE_LIMIT_SHARE) return `aggregate count > ${AGGREGATE_LIMIT.frequency}`;
      if (this.#aggregateSize > AGGREGATE_LIMIT.maxTotal * INBOUND_RATE_LIMIT_SHARE) return `aggregate size > ${AGGREGATE_LIMIT.maxTotal}`;
    }
    if (count > limit.frequency * INBOUND_RATE_LIMIT_SHARE) return `${name}: count ${count} > ${limit.frequency}`;
    if (dataLength > limit.maxSize) return `${name}: ${dataLength} B > max_size ${limit.maxSize}`;
    if (limit.maxTotal !== null && size > limit.maxTotal * INBOUND_RATE_LIMIT_SHARE) return `${name}: total ${size} B > ${limit.maxTotal}`;
    return null;
  }
}
