/**
 * Live event ids derived from the chain (schemas/live.ts EVENT_ID_PATTERN): `<height>:<hash>:<kind>`,
 * the block an event belongs to and what happened there. Two replicas following the same chain give
 * an event the same id, so a cursor from one resumes on the other; one that saw a reorg the other did
 * not still names a block, which the other can look up on its own chain.
 */
import { EVENT_ID_PATTERN } from '../../schemas/live.js';

/** What happened at a block, in the order events of one block are sent. */
export type EventKind = 'reorg' | 'peak';

/** The block and kind an event id names. */
export interface ChainPlace {
  height: number;
  /** 0x-prefixed lowercase hex, as everywhere else in the API. */
  headerHash: string;
  kind: string;
}

const ID = new RegExp(EVENT_ID_PATTERN);

export function eventId(height: number, headerHash: string, kind: EventKind): string {
  return `${height}:${headerHash.slice(2)}:${kind}`;
}

/** The place an id names, or null for any other text (a numeric id of an earlier version, say). */
export function placeOf(id: string): ChainPlace | null {
  if (!ID.test(id)) return null;
  const [height, hash, kind] = id.split(':') as [string, string, string];
  return { height: Number(height), headerHash: `0x${hash}`, kind };
}
