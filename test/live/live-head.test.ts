/**
 * HEAD on the live endpoints is answered at once with the headers a GET would get, and opens no
 * stream: it holds no live slot, so any number of them leave an address its share of streams.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { liveTestScope } from './live-app.js';
import { SseClient } from './sse-client.js';

/** A HEAD that gets no answer fails the test here rather than at the test timeout. */
const ANSWER_MS = 5_000;

const scope = liveTestScope();

describe('HEAD on the live endpoints', () => {
  it('answers HEAD /v1/events with the stream headers and no stream; many of them hold no slot', async () => {
    const PER_IP = 2;
    const live = await scope.start({ maxClientsPerIp: PER_IP });
    const HEADS = 20;
    for (let i = 0; i < HEADS; i++) {
      const res = await fetch(`${live.base}/v1/events`, { method: 'HEAD', signal: AbortSignal.timeout(ANSWER_MS) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(res.headers.get('cache-control')).toContain('no-cache');
    }
    expect(live.app.peakHub.clientCount).toBe(0);
    await eventually('every HEAD slot back', () => live.app.peakHub.slotsInUse === 0, ANSWER_MS);
    // The address still has its whole share of streams.
    for (let i = 0; i < PER_IP; i++) {
      const c = new SseClient(`${live.base}/v1/events`);
      scope.closeAfter(() => c.close());
      await c.until((x) => x.events.length >= 1, `hello on stream ${i + 1}`);
    }
  });

  it('validates HEAD /v1/events like GET', async () => {
    const live = await scope.start();
    const res = await fetch(`${live.base}/v1/events?since=x`, { method: 'HEAD', signal: AbortSignal.timeout(ANSWER_MS) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers HEAD /v1/ws like a plain GET (426), with no body', async () => {
    const live = await scope.start();
    const res = await fetch(`${live.base}/v1/ws`, { method: 'HEAD', signal: AbortSignal.timeout(ANSWER_MS) });
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
    expect(await res.text()).toBe('');
    await eventually('the HEAD slot back', () => live.app.peakHub.slotsInUse === 0, ANSWER_MS);
  });
});
