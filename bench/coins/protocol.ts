/** IPC messages between the coin benchmark and its client process, and the keys both sides derive. */

export type ToClients =
  | { cmd: 'connect'; url: string; count: number; keys: number }
  | { cmd: 'subscribe' }
  /** Expect one peak per client, and one coins event per client when `coins`; report when all arrived. */
  | { cmd: 'round'; round: number; coins: boolean }
  | { cmd: 'exit' };

export type FromClients =
  | { event: 'connected'; count: number }
  /** Every client got `subscribed`; `retries`: subscribes asked again after COINS_UNAVAILABLE. */
  | { event: 'subscribed'; seconds: number; retries: number }
  | { event: 'armed'; round: number }
  /** When the last client got the round's peak and its coins (wall clock, nowMs). */
  | { event: 'received'; round: number; lastPeak: number; lastCoins: number }
  | { event: 'failed'; message: string };

/** The puzzle hash every client watches (its last key). */
export const SHARED = `0x${'f'.repeat(64)}`;

/** Client `client`'s `key`-th own puzzle hash (of keys − 1). */
export const phOf = (keys: number, client: number, key: number): string => `0x${(client * keys + key + 1).toString(16).padStart(64, '0')}`;

/** What client `client` watches: keys − 1 of its own and the shared one. */
export const keysOf = (keys: number, client: number): string[] => [...Array.from({ length: keys - 1 }, (_, k) => phOf(keys, client, k)), SHARED];

/** Wall-clock time with sub-millisecond resolution, comparable between processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
