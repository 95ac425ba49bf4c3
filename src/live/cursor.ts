/**
 * Replay cursors of the live routes (`since`, `last_event_id`, the SSE `Last-Event-ID` header),
 * checked wherever a client gives one and read into a Cursor: `since` like a REST height (plain
 * decimal digits in range), an event id as the chain-derived id it names (or a decimal id of an
 * earlier version, which gets a gap). The rules are those of the schemas (schemas/live.ts), written
 * once there.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cursor } from './replay-buffer.js';
import { EVENT_ID_PATTERN, LEGACY_EVENT_ID_PATTERN, LiveQuery } from '../../schemas/live.js';
import { ApiError } from '../http/errors.js';
import { integerExpectation, mustBe } from '../http/validation-detail.js';
import { parseCoinCursor } from './coin-cursor.js';

export type CursorName = keyof typeof LiveQuery.properties;

export const CURSOR_NAMES = Object.keys(LiveQuery.properties) as CursorName[];
/** Text a schema's integer coercion would take ("0x10", "1e3", "+7", " 7", "1.0") is refused: digits only. */
const DIGITS = /^[0-9]+$/;
const LAST_EVENT_ID_HEADER = 'Last-Event-ID';
const MAX_SINCE = LiveQuery.properties.since.maximum ?? 0;
const EVENT_ID = new RegExp(`${EVENT_ID_PATTERN}|${LEGACY_EVENT_ID_PATTERN}`);

/** The rule every cursor follows, worded like every other invalid parameter. */
function rule(name: CursorName, label: string): string {
  return name === 'since'
    ? mustBe(label, integerExpectation(0, MAX_SINCE))
    : mustBe(label, 'an event id, <height>:<header hash, 64 lowercase hex digits>:<kind> (e.g. 1000:3f…9a:peak)');
}

/** Whether `text` is a valid `name` cursor. */
function isCursorText(name: CursorName, text: string): boolean {
  return name === 'since' ? DIGITS.test(text) && Number(text) <= MAX_SINCE : EVENT_ID.test(text);
}

/** Why `text` (from a query string or a header) is no valid `name` cursor, or null when it is one. */
export function cursorTextError(name: CursorName, text: unknown, label: string = name): string | null {
  return typeof text === 'string' && isCursorText(name, text) ? null : rule(name, label);
}

/** Why a JSON value (a subscribe message's field) is no valid `name` cursor, or null when it is one. */
export function cursorValueError(name: CursorName, value: unknown): string | null {
  if (name === 'since') return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SINCE ? null : rule(name, name);
  return typeof value === 'string' && isCursorText(name, value) ? null : rule(name, name);
}

/**
 * An onRequest hook checking the cursors of a live route's query (and, with `lastEventIdHeader`, the
 * SSE Last-Event-ID header) before the route admits the client: 400 INVALID_PARAMETER otherwise.
 * An empty Last-Event-ID is no cursor (an EventSource sends none until it has an id).
 */
export function cursorGuard(options: { lastEventIdHeader: boolean }) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const query = request.query as Partial<Record<CursorName, unknown>>;
    let detail: string | null = null;
    for (const name of CURSOR_NAMES) {
      if (detail === null && query[name] !== undefined) detail = cursorTextError(name, query[name]);
    }
    const header = request.headers['last-event-id'];
    // A coin cursor there is the Last-Event-ID of a coin subscriber (checked with its keys, see coin-keys.ts).
    if (detail === null && options.lastEventIdHeader && header !== undefined && header !== '' && !(typeof header === 'string' && parseCoinCursor(header) !== null)) {
      detail = cursorTextError('last_event_id', header, LAST_EVENT_ID_HEADER);
    }
    done(detail === null ? undefined : new ApiError('INVALID_PARAMETER', { detail }));
  };
}

/** The cursor of a connect, once checked: Last-Event-ID wins (a browser's reconnect), then last_event_id, then since. */
export function cursorOf(query: LiveQuery, lastEventIdHeader?: string): Cursor | null {
  const peakId = lastEventIdHeader !== undefined && lastEventIdHeader !== '' && parseCoinCursor(lastEventIdHeader) === null;
  if (peakId) return { lastEventId: lastEventIdHeader };
  if (query.last_event_id !== undefined) return { lastEventId: query.last_event_id };
  if (query.since !== undefined) return { since: query.since };
  return null;
}
