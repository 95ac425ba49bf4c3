/** Reads a replay cursor from a live route's query (and the SSE Last-Event-ID header). */
import type { Cursor } from './replay-buffer.js';
import type { LiveQuery } from '../../schemas/live.js';

/** Event ids and heights are plain decimal integers; anything else in Last-Event-ID is ignored. */
const DECIMAL = /^[0-9]{1,15}$/;

/** The cursor of a connect: Last-Event-ID wins (a browser's reconnect), then last_event_id, then since. */
export function cursorOf(query: LiveQuery, lastEventIdHeader?: string): Cursor | null {
  if (lastEventIdHeader !== undefined && DECIMAL.test(lastEventIdHeader.trim())) {
    return { lastEventId: Number(lastEventIdHeader.trim()) };
  }
  if (query.last_event_id !== undefined) return { lastEventId: query.last_event_id };
  if (query.since !== undefined) return { since: query.since };
  return null;
}
