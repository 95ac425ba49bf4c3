import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OnBehalfOf, clientKey } from '../../../src/chia/link/on-behalf-of.js';
import { RateLimiter, type RateLimiterOptions } from '../../../src/chia/link/rate-limiter.js';
import { AGGREGATE_LIMIT } from '../../../src/chia/protocol/limits.js';
import { RATE_LIMITS_V2, rateLimitOf, type RateLimit } from '../../../src/chia/protocol/rate-limits.js';
import { UpstreamError } from '../../../src/chia/errors.js';

/** Fake timers drive both the limiter's clock (Date.now) and its wake-up timers. */
function clock() {
  return { now: () => Date.now(), advance: (ms: number) => vi.advanceTimersByTimeAsync(ms) };
}
const tick = () => vi.advanceTimersByTimeAsync(1);

const limits: Record<string, RateLimit> = {
  slow: { aggregate: true, frequency: 10, maxSize: 100, maxTotal: 1_000 },
  fast: { aggregate: false, frequency: 1_000, maxSize: 100, maxTotal: 100_000 },
  big: { aggregate: false, frequency: 1_000, maxSize: 1_000, maxTotal: 2_000 },
  reply: { aggregate: false, frequency: null, maxSize: 10, maxTotal: null },
};
const limitOf = (name: string) => limits[name];

describe('rate-limits table', () => {
  it('holds the v2 values of PROTOCOL.md §h.1', () => {
    expect(RATE_LIMITS_V2.request_blocks).toEqual({ aggregate: true, frequency: 500, maxSize: 100, maxTotal: 50_000 });
    expect(RATE_LIMITS_V2.request_block_headers.aggregate).toBe(false);
    expect(RATE_LIMITS_V2.request_peers.frequency).toBe(10);
    expect(RATE_LIMITS_V2.respond_blocks.frequency).toBeNull();
    expect(RATE_LIMITS_V2.respond_blocks.maxSize).toBe(50 * 1024 * 1024);
    expect(AGGREGATE_LIMIT).toEqual({ frequency: 1_000, maxTotal: 100 * 1024 * 1024 });
    expect(rateLimitOf('no_such_message')).toBeUndefined();
    expect(rateLimitOf('toString')).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('lets share × frequency through per window, then queues until the window slides', async () => {
    const c = clock();
    const limiter = new RateLimiter({ share: 0.5, queueSize: 100, windowMs: 1_000, guardMs: 0, limitOf, now: c.now });
    expect(limiter.ceiling('slow')).toBe(5);
    for (let i = 0; i < 5; i++) (await limiter.acquire('slow', 10))();
    let granted = false;
    const waiting = limiter.acquire('slow', 10).then((release) => ((granted = true), release));
    await tick();
    expect(granted).toBe(false);
    expect(limiter.queued).toBe(1);
    await c.advance(1_000);
    await waiting;
    expect(granted).toBe(true);
    expect(limiter.queued).toBe(0);
  });

  it('counts bytes against share × max_total and refuses a message over max_size', async () => {
    const c = clock();
    const limiter = new RateLimiter({ share: 0.5, queueSize: 10, windowMs: 1_000, guardMs: 0, limitOf, now: c.now });
    (await limiter.acquire('big', 1_000))();
    const second = limiter.acquire('big', 1);
    await tick();
    expect(limiter.queued).toBe(1);
    await c.advance(1_001);
    await second;
    await expect(limiter.acquire('reply', 11)).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });

  it('counts the aggregate limit over every aggregate type', async () => {
    const c = clock();
    const many: Record<string, RateLimit> = {
      a: { aggregate: true, frequency: 100_000, maxSize: 10, maxTotal: 1e9 },
      b: { aggregate: true, frequency: 100_000, maxSize: 10, maxTotal: 1e9 },
    };
    const limiter = new RateLimiter({ share: 0.1, queueSize: 10, windowMs: 1_000, guardMs: 0, limitOf: (n) => many[n], now: c.now });
    const cap = AGGREGATE_LIMIT.frequency * 0.1;
    for (let i = 0; i < cap; i++) (await limiter.acquire(i % 2 ? 'a' : 'b', 1))();
    const blocked = limiter.acquire('a', 1);
    await tick();
    expect(limiter.queued).toBe(1);
    await c.advance(1_000);
    await blocked;
  });

  it('fails fast with PACING_QUEUE_FULL when the queue is full, and keeps FIFO order', async () => {
    const c = clock();
    const limiter = new RateLimiter({ share: 0.1, queueSize: 3, windowMs: 1_000, guardMs: 0, limitOf, now: c.now });
    (await limiter.acquire('slow', 1))();
    const order: number[] = [];
    const queued = [1, 2, 3].map((i) => limiter.acquire('slow', 1).then((r) => (order.push(i), r())));
    const error = await limiter.acquire('slow', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe('PACING_QUEUE_FULL');
    for (let i = 0; i < 3; i++) {
      await c.advance(1_000);
      await tick();
    }
    await Promise.all(queued);
    expect(order).toEqual([1, 2, 3]);
  });

  it('does not let a blocked type hold up another type', async () => {
    const c = clock();
    const limiter = new RateLimiter({ share: 0.1, queueSize: 10, windowMs: 60_000, guardMs: 0, limitOf, now: c.now });
    (await limiter.acquire('slow', 1))();
    void limiter.acquire('slow', 1).catch(() => undefined);
    (await limiter.acquire('fast', 1))();
    limiter.close(new Error('done'));
  });

  it('caps requests in flight and wakes a waiter on release', async () => {
    const limiter = new RateLimiter({ share: 1, queueSize: 10, maxInFlight: 2, limitOf });
    const r1 = await limiter.acquire('fast', 1);
    await limiter.acquire('fast', 1);
    const third = limiter.acquire('fast', 1);
    await tick();
    expect(limiter.inFlight).toBe(2);
    r1();
    r1(); // idempotent
    await third;
    expect(limiter.inFlight).toBe(2);
  });

  it('removes an aborted waiter and rejects everything on close', async () => {
    const c = clock();
    const limiter = new RateLimiter({ share: 0.1, queueSize: 10, windowMs: 60_000, guardMs: 0, limitOf, now: c.now });
    (await limiter.acquire('slow', 1))();
    const controller = new AbortController();
    const aborted = limiter.acquire('slow', 1, { signal: controller.signal });
    controller.abort(new Error('deadline'));
    await expect(aborted).rejects.toThrow('deadline');
    expect(limiter.queued).toBe(0);
    const pending = limiter.acquire('slow', 1);
    limiter.close(new UpstreamError('LINK_CLOSED', 'closed'));
    await expect(pending).rejects.toMatchObject({ code: 'LINK_CLOSED' });
    await expect(limiter.acquire('fast', 1)).rejects.toMatchObject({ code: 'LINK_CLOSED' });
  });

  it('lengthens the window by a guard (a tenth by default) against latency jitter', async () => {
    const c = clock();
    const limiter = new RateLimiter({ share: 0.1, queueSize: 10, windowMs: 1_000, limitOf, now: c.now });
    (await limiter.acquire('slow', 1))();
    let granted = false;
    const next = limiter.acquire('slow', 1).then(() => (granted = true));
    await c.advance(1_000);
    expect(granted).toBe(false);
    await c.advance(101);
    await next;
    expect(granted).toBe(true);
  });

  it('counts a send from when it was really sent, not from its grant', async () => {
    const c = clock();
    const limiter = new RateLimiter({ share: 0.1, queueSize: 10, windowMs: 1_000, guardMs: 0, limitOf, now: c.now });
    const release = await limiter.acquire('slow', 1);
    await c.advance(500); // the event loop was busy: the bytes leave half a window late
    release.sent();
    release();
    let granted = false;
    const next = limiter.acquire('slow', 1).then(() => (granted = true));
    await c.advance(600); // one window after the grant, but not after the send
    expect(granted).toBe(false);
    await c.advance(500);
    await next;
    expect(granted).toBe(true);
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => new RateLimiter({ share: 0, queueSize: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ share: 1.5, queueSize: 1 })).toThrow(RangeError);
  });

  it('never puts more than share × limit into any window (property over random bursts)', async () => {
    const c = clock();
    const windowMs = 1_000;
    const limiter = new RateLimiter({ share: 0.6, queueSize: 10_000, windowMs, guardMs: 0, limitOf, now: c.now });
    const sent: number[] = [];
    const all = Array.from({ length: 40 }, () => limiter.acquire('slow', 1).then((r) => (sent.push(c.now()), r())));
    for (let i = 0; i < 80; i++) {
      await c.advance(137);
      await tick();
    }
    await Promise.all(all);
    for (const t of sent) expect(sent.filter((s) => s > t - windowMs && s <= t).length).toBeLessThanOrEqual(6);
  });
});

describe('RateLimiter: fairness between clients and deadlines', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  const heavy = clientKey('198.51.100.1');
  const light = clientKey('198.51.100.2');
  const other = clientKey('198.51.100.3');
  /** share 1 × slow's 10 per window: a ceiling of 10, 5 for one client at clientShare 0.5. */
  const fairLimiter = (options: Partial<RateLimiterOptions> = {}) =>
    new RateLimiter({ share: 1, clientShare: 0.5, queueSize: 100, windowMs: 1_000, guardMs: 0, limitOf, now: Date.now, ...options });

  it("holds a client to its share of the window and leaves the rest to the others", async () => {
    const limiter = fairLimiter();
    const granted: number[] = [];
    const flood = Array.from({ length: 12 }, (_, i) => limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }).then((r) => (granted.push(i), r())));
    await tick();
    expect(granted).toHaveLength(5);
    expect(limiter.queued).toBe(7);
    // Another client's send goes at once, past the flood's waiting sends: the rest of the window is free.
    (await limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(light) }))();
    expect(limiter.queued).toBe(7);
    // The flood waits for its own entries to leave the window, 5 a window.
    await vi.advanceTimersByTimeAsync(1_001);
    expect(granted).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1_001);
    await Promise.all(flood);
    expect(granted).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('gives room that frees up to the least served waiting client first', async () => {
    const limiter = fairLimiter({ clientShare: 1 });
    for (let i = 0; i < 5; i++) (await limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }))();
    for (let i = 0; i < 4; i++) (await limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(other) }))();
    await vi.advanceTimersByTimeAsync(500);
    (await limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }))();
    const order: string[] = [];
    const waiting = [
      ...[1, 2, 3].map(() => limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }).then((r) => (order.push('heavy'), r()))),
      limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(light) }).then((r) => (order.push('light'), r())),
    ];
    await vi.advanceTimersByTimeAsync(501);
    await Promise.all(waiting);
    // Once the first nine entries left the window, the heavy client still held one and the light client
    // none: the light client asked last but goes first.
    expect(order).toEqual(['light', 'heavy', 'heavy', 'heavy']);
  });

  it("lets a waiting send shared with a light client go on the light client's share", async () => {
    const limiter = fairLimiter();
    for (let i = 0; i < 5; i++) (await limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }))();
    const shared = new OnBehalfOf(heavy);
    let granted = false;
    const send = limiter.acquire('slow', 1, { onBehalfOf: shared }).then((r) => ((granted = true), r()));
    await tick();
    expect(granted).toBe(false);
    // A light client's identical request joins it (the coalescing layer's single-flight).
    shared.join(light);
    await send;
    expect(granted).toBe(true);
    // Counted for the light client: its share now holds one entry, the heavy client's still five.
    const more = Array.from({ length: 4 }, () => limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(light) }));
    for (const r of await Promise.all(more)) r();
    let fifth = false;
    void limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(light) }).then((r) => ((fifth = true), r()), () => undefined);
    await tick();
    expect(fifth).toBe(false);
    limiter.close(new Error('done'));
  });

  it("holds the gateway's own sends (no client) to no share", async () => {
    const limiter = fairLimiter();
    for (let i = 0; i < 10; i++) (await limiter.acquire('slow', 1))();
    expect(limiter.inFlight).toBe(0);
    let granted = false;
    void limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(other) }).then((r) => ((granted = true), r()), () => undefined);
    await tick();
    expect(granted).toBe(false);
    limiter.close(new Error('done'));
  });

  it('fails a send still waiting at its deadline with PACING_TIMEOUT, telling when the window frees up', async () => {
    const limiter = fairLimiter({ clientShare: 1, windowMs: 10_000, maxWaitMs: 2_000 });
    for (let i = 0; i < 10; i++) (await limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }))();
    await vi.advanceTimersByTimeAsync(3_000);
    const waiting = limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(light) }).catch((e: unknown) => e);
    // The request's own deadline (shorter here) bounds the wait too.
    const shorter = limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(other), maxWaitMs: 500 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(await shorter).toMatchObject({ code: 'PACING_TIMEOUT', retryAfterMs: 6_500 });
    expect(limiter.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1_500);
    const error = await waiting;
    expect(error).toBeInstanceOf(UpstreamError);
    // Granted at 0, the window (10 s) has room again at 10 s: 5 s after the deadline at 5 s.
    expect(error).toMatchObject({ code: 'PACING_TIMEOUT', retryAfterMs: 5_000 });
    expect(limiter.queued).toBe(0);
  });

  it("tells a client that spent its share when its own oldest entry leaves the window", async () => {
    const limiter = fairLimiter({ windowMs: 10_000, maxWaitMs: 1_000 });
    for (let i = 0; i < 5; i++) {
      (await limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }))();
      await vi.advanceTimersByTimeAsync(1_000);
    }
    // At 5 s the window has room (5 of 10), but the heavy client none until its first entry (0 s) leaves
    // at 10 s: at its deadline (6 s) that is 4 s away.
    const waiting = limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await waiting).toMatchObject({ code: 'PACING_TIMEOUT', retryAfterMs: 4_000 });
  });

  it('tells when the window frees up on PACING_QUEUE_FULL too', async () => {
    const limiter = fairLimiter({ clientShare: 1, queueSize: 1, windowMs: 10_000 });
    for (let i = 0; i < 10; i++) (await limiter.acquire('slow', 1))();
    await vi.advanceTimersByTimeAsync(4_000);
    void limiter.acquire('slow', 1).catch(() => undefined);
    expect(await limiter.acquire('slow', 1).catch((e: unknown) => e)).toMatchObject({ code: 'PACING_QUEUE_FULL', retryAfterMs: 6_000 });
    limiter.close(new Error('done'));
  });

  /** The gateway's own sends take the half of the window no client may, so every client send waits. */
  async function fillWindow(limiter: RateLimiter): Promise<void> {
    for (let i = 0; i < 5; i++) (await limiter.acquire('slow', 1))();
    for (let i = 0; i < 5; i++) (await limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy) }))();
  }
  const send = (limiter: RateLimiter, onBehalfOf?: OnBehalfOf) =>
    limiter.acquire('slow', 1, { onBehalfOf }).then(
      (release) => (release(), 'granted' as const),
      (error: unknown) => error,
    );

  it("holds a client to its share of the queue, so another client's send still finds room", async () => {
    // queueSize 4 at clientShare 0.5: two waiting sends per client.
    const limiter = fairLimiter({ queueSize: 4 });
    await fillWindow(limiter);
    const flood = Array.from({ length: 4 }, () => send(limiter, new OnBehalfOf(heavy)));
    await tick();
    expect(limiter.queued).toBe(2);
    // The excess is refused at once, told when the client's share frees up: its oldest entry leaves at 1 s.
    for (const refused of await Promise.all(flood.slice(2))) {
      expect(refused).toBeInstanceOf(UpstreamError);
      expect(refused).toMatchObject({ code: 'PACING_QUEUE_FULL', retryAfterMs: 1_000 });
      expect((refused as UpstreamError).message).toContain('its share of the pacing queue');
    }
    // Another client's send waits in the room kept for the others, and goes when the window slides.
    const light1 = send(limiter, new OnBehalfOf(light));
    await tick();
    expect(limiter.queued).toBe(3);
    await vi.advanceTimersByTimeAsync(1_001);
    expect(await light1).toBe('granted');
    expect(await Promise.all(flood.slice(0, 2))).toEqual(['granted', 'granted']);
    expect(limiter.queued).toBe(0);
  });

  it('gives a client its places in the queue back as its waiting sends leave, aborted or at their deadline', async () => {
    const limiter = fairLimiter({ queueSize: 4, maxWaitMs: 600 });
    await fillWindow(limiter);
    const controller = new AbortController();
    const aborted = limiter.acquire('slow', 1, { onBehalfOf: new OnBehalfOf(heavy), signal: controller.signal }).catch((e: unknown) => e);
    const timedOut = send(limiter, new OnBehalfOf(heavy));
    expect(await send(limiter, new OnBehalfOf(heavy))).toMatchObject({ code: 'PACING_QUEUE_FULL' });
    controller.abort(new Error('gone'));
    expect(await aborted).toMatchObject({ message: 'gone' });
    const again = send(limiter, new OnBehalfOf(heavy));
    await tick();
    expect(limiter.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(600);
    expect(await timedOut).toMatchObject({ code: 'PACING_TIMEOUT' });
    expect(await again).toMatchObject({ code: 'PACING_TIMEOUT' });
    expect(limiter.queued).toBe(0);
    const later = [send(limiter, new OnBehalfOf(heavy)), send(limiter, new OnBehalfOf(heavy))];
    await tick();
    expect(limiter.queued).toBe(2);
    // The window slides at 1 s, before their deadline.
    await vi.advanceTimersByTimeAsync(500);
    expect(await Promise.all(later)).toEqual(['granted', 'granted']);
  });

  it('counts a shared waiting send against its least loaded client', async () => {
    const limiter = fairLimiter({ queueSize: 4 });
    await fillWindow(limiter);
    const shared = new OnBehalfOf(heavy);
    const waiting = [send(limiter, shared), send(limiter, new OnBehalfOf(heavy))];
    expect(await send(limiter, new OnBehalfOf(heavy))).toMatchObject({ code: 'PACING_QUEUE_FULL' });
    // A light client's identical request joins the first: it now counts against the light client.
    shared.join(light);
    waiting.push(send(limiter, new OnBehalfOf(heavy)));
    await tick();
    expect(limiter.queued).toBe(3);
    expect(await send(limiter, new OnBehalfOf(heavy))).toMatchObject({ code: 'PACING_QUEUE_FULL' });
    // A new send for the heavy client and another one counts against the other one.
    const both = new OnBehalfOf(heavy);
    both.join(other);
    waiting.push(send(limiter, both));
    await tick();
    expect(limiter.queued).toBe(4);
    await vi.advanceTimersByTimeAsync(1_001);
    expect(await Promise.all(waiting)).toEqual(['granted', 'granted', 'granted', 'granted']);
  });

  it("does not hold the gateway's own sends to a client's share of the queue", async () => {
    const limiter = fairLimiter({ queueSize: 4 });
    await fillWindow(limiter);
    const own = Array.from({ length: 4 }, () => send(limiter));
    await tick();
    expect(limiter.queued).toBe(4);
    expect(await send(limiter)).toMatchObject({ code: 'PACING_QUEUE_FULL' });
    await vi.advanceTimersByTimeAsync(1_001);
    expect(await Promise.all(own)).toEqual(['granted', 'granted', 'granted', 'granted']);
  });

  it('rejects a client share outside (0, 1]', () => {
    expect(() => new RateLimiter({ share: 1, clientShare: 0, queueSize: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ share: 1, clientShare: 1.5, queueSize: 1 })).toThrow(RangeError);
  });
});
