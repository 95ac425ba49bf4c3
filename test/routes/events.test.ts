import { describe, expect, it } from 'vitest';
import { liveTestScope } from '../live/live-app.js';
import { SseClient } from '../live/sse-client.js';
import { eventually } from '../support/eventually.js';
import { placeOf } from '../../src/live/event-id.js';

const scope = liveTestScope();

function sse(query = '', headers: Record<string, string> = {}): SseClient {
  const c = new SseClient(`${scope.live.base}/v1/events${query}`, headers);
  scope.closeAfter(() => c.close());
  return c;
}

const peakHeights = (c: SseClient) => c.events.filter((e) => e.event === 'peak').map((e) => e.data.data?.height);

describe('GET /v1/events', () => {
  it('streams hello (no id), then peaks and reorgs with their event id', async () => {
    const live = await scope.start();
    const c = sse();
    await c.until((x) => x.events.length >= 1, 'hello');
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(c.headers['cache-control']).toContain('no-cache');
    expect(c.retry).toBe(2000);
    live.source.advance();
    live.source.reorg(1);
    await c.until((x) => x.events.length >= 4, 'peak, reorg, peak');
    expect(c.events.map((e) => e.event)).toEqual(['hello', 'peak', 'reorg', 'peak']);
    expect(c.events[0]?.id).toBeNull();
    for (const e of c.events.slice(1)) expect(e.id).toBe(String(e.data.id));
    expect(c.events[2]?.data).toMatchObject({ type: 'reorg', data: { rolled_back: { from: 101, to: 101 } } });
  });

  it('replays exactly after Last-Event-ID, across a reorg, before live events', async () => {
    const live = await scope.start();
    const first = sse();
    await first.until((x) => x.events.length >= 1, 'hello');
    live.source.advance(); // 101
    await first.until((x) => x.events.length >= 2, 'first peak');
    const lastSeen = first.events[1]?.id as string;
    first.close();
    live.source.advance(); // 102
    live.source.reorg(1); // reorg + 103'
    const again = sse('?since=1', { 'last-event-id': lastSeen });
    await again.until((x) => x.events.some((e) => e.event === 'subscribed'), 'subscribed');
    live.source.advance();
    await again.until((x) => peakHeights(x).length >= 3, 'three peaks');
    expect(again.events.map((e) => e.event)).toEqual(['hello', 'peak', 'reorg', 'peak', 'subscribed', 'peak']);
    expect(peakHeights(again)).toEqual([102, 103, 104]);
    // Ids name the chain (<height>:<header hash>:<kind>): each event's own block, in chain order after the cursor.
    const places = again.events.filter((e) => e.id !== null).map((e) => placeOf(e.id as string));
    expect(places.map((p) => p?.kind)).toEqual(['peak', 'reorg', 'peak', 'peak']);
    expect(places.map((p) => p?.height)).toEqual([102, 103, 103, 104]);
    expect(placeOf(lastSeen)?.height).toBe(101);
    for (const e of again.events.filter((x) => x.event === 'peak')) expect(placeOf(e.id as string)?.headerHash).toBe(e.data.data?.header_hash);
  });

  it('replays after ?since on a first connect, and reports a gap for an unknown Last-Event-ID', async () => {
    const live = await scope.start();
    live.source.advance();
    live.source.advance();
    const bySince = sse('?since=100');
    await bySince.until((x) => x.events.some((e) => e.event === 'subscribed'), 'subscribed');
    expect(peakHeights(bySince)).toEqual([101, 102]);

    const stale = sse('', { 'last-event-id': '5' });
    await stale.until((x) => x.events.some((e) => e.event === 'subscribed'), 'subscribed');
    expect(stale.events.map((e) => e.event).slice(0, 2)).toEqual(['hello', 'gap']);
    expect(peakHeights(stale)).toEqual([100, 101, 102]);
  });

  it('sends heartbeat comments', async () => {
    await scope.start({ heartbeatMs: 100 });
    const c = sse();
    await c.until((x) => x.comments >= 2, 'two heartbeats');
  });

  it('refuses beyond ws.maxClients (WebSocket and SSE together) and validates the query', async () => {
    const live = await scope.start({ maxClients: 1 });
    const c = sse();
    await c.until((x) => x.events.length >= 1, 'hello');
    const refused = await fetch(`${live.base}/v1/events`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(await refused.json()).toMatchObject({ code: 'LIVE_TOO_MANY_CLIENTS' });
    c.close();
    await eventually('the closed stream’s slot back', () => live.app.peakHub.clientCount === 0, 10_000);
    const bad = await fetch(`${live.base}/v1/events?since=abc`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('ends every stream on shutdown', async () => {
    const live = await scope.start();
    const c = sse();
    await c.until((x) => x.events.length >= 1, 'hello');
    await live.app.close();
    await c.ended;
  });
});
