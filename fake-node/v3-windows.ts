/**
 * RATE_LIMITS_V3 as a 2.7.1+ node applies it (PROTOCOL.md §c.5, §h.3): its own window table, the
 * validation of the peer's configure_window_sizes, and the per-type count of requests in processing.
 */
import { MAX_WINDOW_SIZE_ENTRIES } from '../src/chia/protocol/limits.js';


/** The node's v3 table in the reference order (§b.4): message type → window (0 = unlimited). */
export const NODE_WINDOWS: readonly [number, number][] = [
  [29, 2], [30, 0], [31, 0], [26, 2], [27, 0], [28, 0], [51, 2], [52, 0], [53, 0], [86, 2], [88, 0], [87, 0],
  [60, 2], [62, 0], [61, 0], [70, 2], [71, 0], [72, 2], [73, 0], [98, 2], [99, 0], [100, 0], [101, 2], [102, 0],
  [103, 0], [57, 2], [58, 0], [59, 0], [54, 2], [55, 0], [56, 0], [24, 2], [25, 0], [45, 2], [46, 0], [47, 0],
];
const WINDOW_OF = new Map(NODE_WINDOWS);

/** True when message `type` is governed by v3 (and so skips the v2 limiter, §h.2). */
export function isV3Type(type: number): boolean {
  return WINDOW_OF.has(type);
}

/** Why the peer's configure_window_sizes is invalid (→ INVALID_HANDSHAKE), or null. */
export function checkWindowSizes(settings: readonly [number, number][]): string | null {
  if (settings.length < 1 || settings.length > MAX_WINDOW_SIZE_ENTRIES) return `${settings.length} entries, expected 1 … ${MAX_WINDOW_SIZE_ENTRIES}`;
  for (const [type, window] of settings) {
    // Unknown ids are skipped; a window for a type the node keeps unlimited is refused.
    if (WINDOW_OF.get(type) === 0 && window !== 0) return `non-zero window ${window} for unlimited type ${type}`;
  }
  return null;
}

/** Requests of each v3 type the node is processing for one connection (`receive_window`). */
export class ProcessingWindows {
  readonly #busy = new Map<number, number>();

  /** Starts processing a request; false when its type already has `window` in processing (a breach). */
  enter(type: number): boolean {
    const window = WINDOW_OF.get(type) ?? 0;
    const busy = this.#busy.get(type) ?? 0;
    if (window > 0 && busy >= window) return false;
    this.#busy.set(type, busy + 1);
    return true;
  }

  /** The handler of a request of `type` returned (its reply, if any, is queued). */
  leave(type: number): void {
    this.#busy.set(type, Math.max(0, (this.#busy.get(type) ?? 0) - 1));
  }
}
