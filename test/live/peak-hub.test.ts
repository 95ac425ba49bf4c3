import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPeakHub, type PeakHubOptions } from '../../src/live/peak-hub.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { PeakSource, hashOf } from '../../fake-node/in-memory/peak-source.js';
import { eventId } from '../../src/live/event-id.js';
import { MemorySink } from './memory-sink.js';
import { eventually } from '../support/eventually.js';

/** The id of the peak at `height` of branch 0 (PeakSource's first branch). */
const P = (height: number) => eventId(height, hashOf(0, height), 'peak');
const hubs: { close(): void }[] = [];

function setup(overrides: Partial<PeakHubOptions> = {}, start: number | null = 100) {
  const source = new PeakSource(start);
  const metrics = createMetrics({ defaultMetrics: false });
  const hub = createPeakHub(source, {
    replaySize: 5,
    heartbeatMs: 60_000,
    sendBufferBytes: 64 * 1024,
    maxMessageBytes: 4096,
    server: { name: 'test', version: '0' },
    metrics,
    ...overrides,
  });
  hubs.push(hub);
  return { source, hub, metrics };
}

afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
  vi.useRealTimers();
});

describe('peak hub', () => {
  it('greets with the current peak and buffer bounds, then sends live peaks without a subscribe', () => {
    const { source, hub } = setup();
    const sink = new MemorySink();
    hub.attach(sink);
    source.advance();
    const [hello, peak] = sink.messages;
    expect(hello).toMatchObject({
      type: 'hello',
      peak: { height: 100 },
      last_event_id: P(100),
      replay: { capacity: 5, held: 1, oldest_height: 100, oldest_event_id: P(100) },
      subscribed: ['peaks'],
    });
    expect(peak).toMatchObject({ type: 'peak', id: P(101), data: { height: 101 } });
  });

  it('says hello with a null peak before the upstream has one', () => {
    const { hub } = setup({}, null);
    const sink = new MemorySink();
    hub.attach(sink);
    expect(sink.messages[0]).toMatchObject({ type: 'hello', peak: null, last_event_id: null });
  });

  it('sends the reorg before the peak that caused it', () => {
    const { source, hub } = setup();
    const sink = new MemorySink();
    hub.attach(sink);
    source.advance();
    source.advance(); // 102
    source.reorg(2); // fork at 100, new peak 103
    expect(sink.types()).toEqual(['hello', 'peak', 'peak', 'reorg', 'peak']);
    expect(sink.messages[3]).toMatchObject({ data: { fork_point: 100, rolled_back: { from: 101, to: 102 } } });
  });

  it('ignores a repeated announcement of the current peak', () => {
    const { source, hub } = setup();
    const sink = new MemorySink();
    hub.attach(sink);
    const peak = source.peak();
    if (peak) source.emit({ ...peak });
    expect(sink.types()).toEqual(['hello']);
  });

  it('replays after a cursor given at attach, then goes live, with no gap or duplicate', () => {
    const { source, hub } = setup();
    source.advance();
    source.advance();
    const sink = new MemorySink();
    hub.attach(sink, { lastEventId: P(100) });
    source.advance();
    expect(sink.types()).toEqual(['hello', 'peak', 'peak', 'subscribed', 'peak']);
    expect(sink.ids()).toEqual([P(101), P(102), P(103)]);
    expect(sink.messages[3]).toEqual({ type: 'subscribed', topics: ['peaks'], replayed: 2 });
  });

  it('replays on subscribe by height, and resends in order when a live peak slipped in before it', () => {
    const { source, hub } = setup();
    source.advance(); // 101
    const sink = new MemorySink();
    const client = hub.attach(sink);
    source.advance(); // 102 arrives live before the client's subscribe
    hub.receive(client, JSON.stringify({ type: 'subscribe', topics: ['peaks'], since: 100 }));
    const heights = sink.messages.filter((m) => m.type === 'peak').map((m) => (m.data as { height: number }).height);
    expect(heights).toEqual([102, 101, 102]);
    // After the replay the stream is ordered again and continues live.
    source.advance();
    expect(sink.ids().slice(-3)).toEqual([P(101), P(102), P(103)]);
  });

  it('skips already delivered events when the cursor is inside the live range', () => {
    const { source, hub } = setup();
    const sink = new MemorySink();
    const client = hub.attach(sink);
    source.advance();
    source.advance();
    hub.receive(client, JSON.stringify({ type: 'subscribe', topics: ['peaks'], last_event_id: P(101) }));
    expect(sink.ids()).toEqual([P(101), P(102)]);
    expect(sink.messages.at(-1)).toEqual({ type: 'subscribed', topics: ['peaks'], replayed: 0 });
  });

  it('refuses a second replay on one connection within the replay interval, and nothing else', () => {
    let clock = 50_000;
    const { source, hub } = setup({ replayIntervalMs: 1_000, now: () => clock });
    source.advance();
    const sink = new MemorySink();
    const client = hub.attach(sink, { since: 100 }); // the connect-time replay counts
    const replay = JSON.stringify({ type: 'subscribe', topics: ['peaks'], since: 100 });
    clock += 999;
    hub.receive(client, replay);
    expect(sink.messages.at(-1)).toEqual({
      type: 'error',
      code: 'REPLAY_TOO_SOON',
      message: 'one replay per 1000 ms per connection: retry in 1 ms (nothing changed)',
    });
    // A subscribe without a cursor replays nothing and is never limited; live peaks keep flowing.
    hub.receive(client, '{"type":"subscribe","topics":["peaks"]}');
    expect(sink.messages.at(-1)).toEqual({ type: 'subscribed', topics: ['peaks'], replayed: 0 });
    source.advance();
    expect(sink.messages.at(-1)).toMatchObject({ type: 'peak', data: { height: 102 } });
    clock += 1;
    hub.receive(client, replay);
    // Allowed again (it already has both peaks, so nothing is resent).
    expect(sink.messages.at(-1)).toEqual({ type: 'subscribed', topics: ['peaks'], replayed: 0 });
  });

  it('says there is a gap when the cursor is older than the buffer, then sends the whole buffer', () => {
    const { source, hub } = setup({ replaySize: 3 });
    for (let i = 0; i < 5; i++) source.advance(); // heights 101..105; buffer keeps 103..105
    const sink = new MemorySink();
    hub.attach(sink, { since: 100 });
    expect(sink.messages[1]).toEqual({
      type: 'gap',
      data: { since: 100, last_event_id: null, oldest_height: 103, oldest_event_id: P(103) },
    });
    expect(sink.types().slice(2)).toEqual(['peak', 'peak', 'peak', 'subscribed']);
  });

  it('stops and restarts live delivery on unsubscribe / subscribe', () => {
    const { source, hub } = setup();
    const sink = new MemorySink();
    const client = hub.attach(sink);
    hub.receive(client, '{"type":"unsubscribe","topics":["peaks"]}');
    source.advance();
    hub.receive(client, '{"type":"subscribe","topics":["peaks"]}');
    source.advance();
    expect(sink.types()).toEqual(['hello', 'unsubscribed', 'subscribed', 'peak']);
    expect(sink.ids()).toEqual([P(102)]);
  });

  it.each([
    ['not json', 'INVALID_JSON'],
    ['[1,2]', 'INVALID_MESSAGE'],
    ['{"type":"dance"}', 'UNKNOWN_TYPE'],
    ['{"type":"subscribe","topics":["blocks"]}', 'INVALID_MESSAGE'],
    ['{"type":"subscribe","topics":["peaks"],"since":-1}', 'INVALID_MESSAGE'],
    ['{"type":"subscribe","topics":["peaks"],"extra":1}', 'INVALID_MESSAGE'],
  ])('answers %s with an error frame and keeps the client', (text, code) => {
    const { source, hub } = setup();
    const sink = new MemorySink();
    const client = hub.attach(sink);
    hub.receive(client, text);
    source.advance();
    expect(sink.messages[1]).toMatchObject({ type: 'error', code });
    expect(sink.types()).toEqual(['hello', 'error', 'peak']);
    expect(sink.closedWith).toBeNull();
  });

  it('answers ping with pong', () => {
    const { hub } = setup();
    const sink = new MemorySink();
    hub.receive(hub.attach(sink), '{"type":"ping"}');
    expect(sink.types()).toEqual(['hello', 'pong']);
  });

  it('sheds a client over its send-buffer ceiling without delaying the others', async () => {
    const { source, hub, metrics } = setup({ sendBufferBytes: 10_000 });
    const slow = new MemorySink();
    const fast = new MemorySink('sse');
    hub.attach(slow);
    hub.attach(fast);
    slow.buffered = 10_000;
    source.advance();
    expect(slow.closedWith).toEqual({ code: 1008, reason: 'slow consumer: send buffer ceiling exceeded' });
    expect(slow.types()).toEqual(['hello']);
    expect(fast.types()).toEqual(['hello', 'peak']);
    expect(hub.clientCount).toBe(1);
    const shed = await metrics.liveSlowClientsTerminated.get();
    expect(shed.values).toEqual([expect.objectContaining({ value: 1, labels: { transport: 'ws', reason: 'send_buffer' } })]);
  });

  it('sheds a client that sends pings but does not read the answers', () => {
    const { hub } = setup({ sendBufferBytes: 1_000 });
    const sink = new MemorySink();
    const client = hub.attach(sink);
    sink.buffered = 999;
    hub.receive(client, '{"type":"ping"}');
    hub.receive(client, '{"type":"ping"}');
    expect(sink.types()).toEqual(['hello']);
    expect(sink.closedWith?.code).toBe(1008);
    expect(hub.clientCount).toBe(0);
  });

  it('terminates a client that misses a heartbeat', () => {
    vi.useFakeTimers();
    const { hub } = setup({ heartbeatMs: 1_000 });
    const sink = new MemorySink();
    hub.attach(sink);
    vi.advanceTimersByTime(1_000); // pinged
    expect(sink.closedWith).toBeNull();
    vi.advanceTimersByTime(1_000); // no pong since
    expect(sink.closedWith).toEqual({ code: 1008, reason: 'heartbeat missed' });
    expect(hub.clientCount).toBe(0);
  });

  it('counts clients and events sent per transport', async () => {
    const { source, hub, metrics } = setup();
    const a = hub.attach(new MemorySink('ws'));
    hub.attach(new MemorySink('sse'));
    hub.attach(new MemorySink('ws'));
    source.advance();
    hub.detach(a);
    hub.detach(a);
    expect((await metrics.liveClients.get()).values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { transport: 'ws' }, value: 1 }),
        expect.objectContaining({ labels: { transport: 'sse' }, value: 1 }),
      ]),
    );
    expect((await metrics.liveEventsSent.get()).values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { transport: 'ws', type: 'peak' }, value: 2 }),
        expect.objectContaining({ labels: { transport: 'sse', type: 'peak' }, value: 1 }),
      ]),
    );
  });

  it('counts reserved slots with attached clients; a release is idempotent', () => {
    const { hub } = setup();
    const release = hub.reserve();
    hub.attach(new MemorySink());
    expect(hub.slotsInUse).toBe(2);
    release();
    release();
    expect(hub.slotsInUse).toBe(1);
  });

  it('counts slots per address, giving each back exactly once however the client leaves', () => {
    vi.useFakeTimers();
    const { source, hub } = setup({ heartbeatMs: 1_000, sendBufferBytes: 10_000 });
    const a = '198.51.100.1';
    const release = hub.reserve(a);
    const closed = hub.attach(new MemorySink(), null, a);
    const slow = new MemorySink('sse');
    const slowClient = hub.attach(slow, null, a);
    const reaped = new MemorySink();
    hub.attach(reaped, null, a);
    hub.attach(new MemorySink(), null, '198.51.100.2');
    hub.attach(new MemorySink()); // not counted per address
    expect(hub.slotsInUseBy(a)).toBe(4);
    expect(hub.slotsInUse).toBe(6);
    release(); // the upgrade it held attached (or failed)
    release();
    expect(hub.slotsInUseBy(a)).toBe(3);
    hub.detach(closed); // its connection closed
    hub.detach(closed);
    expect(hub.slotsInUseBy(a)).toBe(2);
    slow.buffered = 10_000;
    source.advance(); // shed as a slow consumer…
    hub.detach(slowClient); // …then its transport reports the close as well
    expect(slow.closedWith?.code).toBe(1008);
    expect(hub.slotsInUseBy(a)).toBe(1);
    vi.advanceTimersByTime(2_000); // pinged, then no pong: every remaining client is reaped
    expect(reaped.closedWith).toEqual({ code: 1008, reason: 'heartbeat missed' });
    expect(hub.slotsInUseBy(a)).toBe(0);
    expect(hub.slotsInUseBy('198.51.100.2')).toBe(0);
    expect(hub.slotsInUse).toBe(0);
  });

  it('gives back every address count on close, and counts nothing attached after it', () => {
    const { hub } = setup();
    hub.attach(new MemorySink(), null, '198.51.100.1');
    hub.attach(new MemorySink('sse'), null, '198.51.100.1');
    expect(hub.slotsInUseBy('198.51.100.1')).toBe(2);
    hub.close();
    expect(hub.slotsInUseBy('198.51.100.1')).toBe(0);
    hub.attach(new MemorySink(), null, '198.51.100.1');
    expect(hub.slotsInUseBy('198.51.100.1')).toBe(0);
  });

  it('closes every client with 1001 and detaches from the source on close', () => {
    const { source, hub } = setup();
    const sink = new MemorySink();
    hub.attach(sink);
    hub.close();
    expect(sink.closedWith).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(source.listenerCount()).toBe(0);
    const late = new MemorySink();
    hub.attach(late);
    expect(late.closedWith?.code).toBe(1001);
    expect(hub.clientCount).toBe(0);
  });
});

describe('peak hub: cursors of other replicas and earlier versions', () => {
  /** A chain of branch 0 at every height (the hub's own peaks are of branch 0 too). */
  const chain = { forkDepth: 3, hashAt: async (height: number) => hashOf(0, height) };

  it('answers a numeric id of an earlier version with a gap and the whole buffer', () => {
    const { source, hub } = setup();
    source.advance();
    const sink = new MemorySink();
    hub.attach(sink, { lastEventId: '1700000000123' });
    expect(sink.messages[1]).toMatchObject({ type: 'gap', data: { last_event_id: '1700000000123', oldest_event_id: P(100) } });
    expect(sink.ids()).toEqual([P(100), P(101)]);
  });

  it('resumes an id of this chain that is no longer in its buffer after that height', async () => {
    const { source, hub } = setup({ replaySize: 2, chain });
    for (let i = 0; i < 3; i++) source.advance(); // 101..103; the buffer keeps 102, 103
    const sink = new MemorySink();
    hub.attach(sink, { lastEventId: P(101) });
    await eventually('replayed', () => sink.types().includes('subscribed'));
    expect(sink.types()).toEqual(['hello', 'peak', 'peak', 'subscribed']);
    expect(sink.ids()).toEqual([P(102), P(103)]);
  });

  it("resumes an id of a branch it never saw with a reorg from it, then the peaks above the fork point", async () => {
    const replica = setup({ replaySize: 10, chain }, 100);
    for (let i = 0; i < 5; i++) replica.source.advance(); // 101..105
    // A client of another replica that saw 104 on branch 7 (a block this replica never saw).
    const orphan = eventId(104, hashOf(7, 104), 'peak');
    const sink = new MemorySink();
    const client = replica.hub.attach(sink, { lastEventId: orphan });
    await eventually('replayed', () => sink.types().includes('subscribed'));
    expect(sink.types()).toEqual(['hello', 'reorg', 'peak', 'peak', 'peak', 'peak', 'subscribed']);
    expect(sink.messages[1]).toMatchObject({
      id: eventId(102, hashOf(0, 102), 'reorg'),
      data: { fork_point: 101, rolled_back: { from: 102, to: 104 }, previous: { height: 104, header_hash: hashOf(7, 104) }, peak: { height: 102 } },
    });
    expect(sink.ids().slice(1)).toEqual([P(102), P(103), P(104), P(105)]);
    // Live again, after the replay.
    replica.source.advance();
    expect(sink.ids().at(-1)).toBe(P(106));
    expect(client.subscribed).toBe(true);
  });
});
