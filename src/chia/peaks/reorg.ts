/**
 * Fork points between the gateway's successive best peaks. PROTOCOL.md §e.4: a peak's fork point is
 * the height of the last block it shares with the previous peak, so the blocks above it on the
 * previous chain were rolled back (§e.6 step 3: refetch from fork_point + 1). The tracker makes every
 * emitted peak's fork point relative to the gateway's previous best and emits it as a PeakChange
 * (peakChange below), whose forkPoint the block cache and the live events use as is, so they always
 * agree on what was rolled back.
 */
import type { Peak, PeakChange } from '../upstream-api.js';

/** The header hash a chain has at a height, if known. */
export type HashAt = (height: number) => string | undefined;

/**
 * The highest height two different peaks can share: the previous peak when the new one is higher,
 * the new peak itself when it is lower (it may be an ancestor), its parent when both have one height.
 */
export function forkCeiling(height: number, previousHeight: number): number {
  if (height > previousHeight) return previousHeight;
  return height < previousHeight ? height : height - 1;
}

/**
 * The fork point a new best peak implies against the previous one, or null when it only extends it.
 * `peak` is a new best, so its hash differs from `previous`'s: a peak at or below the previous height
 * is therefore always a reorg, whatever fork point it reports.
 */
export function reorgForkPoint(peak: Peak, previous: Peak | null): number | null {
  if (previous === null) return null;
  const fork = Math.max(0, Math.min(peak.fork_point_with_previous_peak, forkCeiling(peak.height, previous.height)));
  return fork < previous.height ? fork : null;
}

/** The change from `previous` to `peak`, with its fork point computed (the one place it is). */
export function peakChange(peak: Peak, previous: Peak | null): PeakChange {
  return { peak, previous, forkPoint: reorgForkPoint(peak, previous) };
}

/** How far back one search for a shared block looks (the tracker keeps no older hashes). */
const SEARCH_DEPTH = 1_000;

/**
 * A conservative fork point between a new peak's chain and the previous peak's chain from the hashes
 * the gateway saw announced on each: the highest height where both are known and equal, but never
 * more than `unverifiedDepth` below the highest height the chains may still share (the ceiling, or
 * just below the highest height where they are known to differ). With nothing known this is
 * `unverifiedDepth` below the ceiling: a bounded guess, not a claim that the whole chain changed.
 */
export function sharedForkPoint(ceiling: number, newChain: HashAt, previousChain: HashAt, unverifiedDepth: number): number {
  let upper = ceiling;
  let shared = -1;
  for (let h = ceiling; h >= 0 && h > ceiling - SEARCH_DEPTH; h--) {
    const a = newChain(h);
    const b = previousChain(h);
    if (a === undefined || b === undefined) continue;
    if (a === b) {
      shared = h;
      break;
    }
    upper = h - 1;
  }
  return Math.max(0, shared, upper - unverifiedDepth);
}
