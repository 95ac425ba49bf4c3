/**
 * Reconnect delays: capped exponential backoff with full jitter (the ioredis `retryStrategy` model).
 * A strategy is a plain function so the manager can take another one (tests use a fast one).
 */

/** Delay in ms before reconnect attempt `attempt` (1 = first retry); `refused` peers wait longer. */
export type BackoffStrategy = (attempt: number, refused: boolean) => number;

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** Floor for a peer that refused us (403, close right after the handshake, ban close code). */
  refusedMs?: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;
/** A ban lasts 10 s or 300 s (PROTOCOL.md §i.4); reconnecting sooner only earns another 403. */
export const BACKOFF_REFUSED_MS = 300_000;

/** Exponential backoff base·2^(attempt−1), capped, with jitter in [½, 1]×delay so retries spread out. */
export function exponentialBackoff(options: BackoffOptions = {}): BackoffStrategy {
  const base = options.baseMs ?? BACKOFF_BASE_MS;
  const cap = options.capMs ?? BACKOFF_CAP_MS;
  const refusedFloor = options.refusedMs ?? BACKOFF_REFUSED_MS;
  const random = options.random ?? Math.random;
  return (attempt, refused) => {
    const exp = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
    const jittered = exp / 2 + (exp / 2) * random();
    return Math.round(refused ? Math.max(refusedFloor, jittered) : jittered);
  };
}
