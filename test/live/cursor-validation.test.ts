/**
 * Live cursors are checked before use: `since` like a REST height (no hex, no exponent, no sign, no
 * fraction, nothing beyond u32), an event id (last_event_id, Last-Event-ID) as the chain-derived id
 * `<height>:<hash>:<kind>` (or a decimal id of an earlier version). Bad ones get 400 problem+json
 * before any stream (SSE, WebSocket upgrade) or an error frame (subscribe).
 */
import { describe, expect, it } from 'vitest';
import { MAX_HEIGHT } from '../../src/chia/index.js';
import { LiveClient, liveTestScope } from './live-app.js';
import { UPGRADE_HEADERS, portOf, rawRequest } from '../support/raw-http.js';


const scope = liveTestScope();

const sinceRule = `since must be a decimal integer between 0 and ${MAX_HEIGHT}`;
const idRule = 'last_event_id must be an event id, <height>:<header hash, 64 lowercase hex digits>:<kind>';
const HASH = 'ab'.repeat(32);

const BAD_QUERIES: [string, string][] = [
  ['since=0x10', sinceRule],
  ['since=1e3', sinceRule],
  ['since=%2B7', sinceRule],
  ['since=1.0', sinceRule],
  ['since=', sinceRule],
  [`since=${MAX_HEIGHT + 1}`, sinceRule],
  ['last_event_id=1e99', idRule],
  ['last_event_id=0x10', idRule],
  [`last_event_id=12:${HASH.toUpperCase()}:peak`, idRule],
  [`last_event_id=12:${HASH.slice(2)}:peak`, idRule],
  [`last_event_id=012:${HASH}:peak`, idRule],
  [`last_event_id=12:${HASH}`, idRule],
];

async function problemOf(res: Response): Promise<{ code: string; detail: string }> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return (await res.json()) as { code: string; detail: string };
}

describe('live cursor validation', () => {
  it('refuses malformed cursors in the SSE query with 400 problem+json', async () => {
    const live = await scope.start();
    for (const [query, rule] of BAD_QUERIES) {
      const problem = await problemOf(await fetch(`${live.base}/v1/events?${query}`));
      expect(problem.code, query).toBe('INVALID_PARAMETER');
      expect(problem.detail, query).toContain(rule);
    }
    expect(live.app.peakHub.slotsInUse).toBe(0);
  });

  it('refuses a malformed Last-Event-ID with 400 problem+json', async () => {
    const live = await scope.start();
    for (const header of ['0x10', '1e3', '-1', '12abc', '1'.repeat(17), `1:${HASH}:Peak`]) {
      const problem = await problemOf(await fetch(`${live.base}/v1/events`, { headers: { 'last-event-id': header } }));
      expect(problem.detail, header).toContain('Last-Event-ID must be an event id');
    }
  });

  it('refuses a malformed cursor on a WebSocket upgrade with 400 problem+json', async () => {
    const live = await scope.start();
    for (const [query, rule] of BAD_QUERIES) {
      const exchange = rawRequest(portOf(live.app), 'GET', `/v1/ws?${query}`, UPGRADE_HEADERS, true);
      const response = await exchange.response;
      expect(response.status, query).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect((JSON.parse(response.body) as { detail: string }).detail, query).toContain(rule);
    }
  });

  it('answers a subscribe with a malformed cursor with an error frame, and the connection stays', async () => {
    const live = await scope.start();
    const c = new LiveClient(live.wsUrl());
    scope.closeAfter(() => c.close());
    await c.until((m) => m.length >= 1, 'hello');
    const bad = ['{"since":1e99}', '{"since":-1}', '{"since":1.5}', '{"since":"16"}', '{"last_event_id":1e99}', '{"last_event_id":"0x10"}', '{"last_event_id":12}'];
    for (const cursor of bad) c.send(`{"type":"subscribe","topics":["peaks"],${cursor.slice(1)}`);
    await c.until((m) => m.filter((x) => x.type === 'error').length === bad.length, 'an error per bad cursor');
    const errors = c.messages.filter((m) => m.type === 'error');
    expect(errors.map((e) => e.code)).toEqual(bad.map(() => 'INVALID_MESSAGE'));
    errors.forEach((e, i) => expect(String(e.message), bad[i]).toContain(i < 4 ? sinceRule : idRule));
    expect(c.count('gap')).toBe(0);
    // Still usable: a valid cursor replays.
    c.send({ type: 'subscribe', topics: ['peaks'], since: 0 });
    await c.until((m) => m.some((x) => x.type === 'subscribed'), 'subscribed');
  });
});
