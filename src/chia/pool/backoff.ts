/**
 * Reconnect delays of one link: capped exponential backoff with full jitter (the ioredis
 * `retryStrategy` model). A strategy is a plain function so the manager can take another one (tests
 * use a fast one). Bans are not backoff: the peer pool leaves a banned peer alone for its ban.
 */

/** Delay in ms before reconnect attempt `attempt` of one link (1 = first retry). */
export type BackoffStrategy = (attempt: number) => number;

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;
/** Exponents above this change nothing (the cap is reached long before) and keep 2^n finite. */
const MAX_EXPONENT = 30;

/** Exponential backoff base·2^(attempt−1), capped, with jitter in [½, 1]×delay so retries spread out. */
export function exponentialBackoff(options: BackoffOptions = {}): BackoffStrategy {
  const base = options.baseMs ?? BACKOFF_BASE_MS;
  const cap = options.capMs ?? BACKOFF_CAP_MS;
  const random = options.random ?? Math.random;
  return (attempt) => {
    const exp = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt - 1, MAX_EXPONENT)));
    return Math.round(exp / 2 + (exp / 2) * random());
  };
}
