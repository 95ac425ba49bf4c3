/**
 * The request router's ride-through: a request that finds no ready link of its role waits, once and
 * for at most rideThroughMs, for a link that is coming back, and fails NO_READY_LINK at once when none
 * is (no peer to go to, or the next attempt is later than that).
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../../src/chia/errors.js';
import type { LinkSlot } from '../../../src/chia/pool/link-slot.js';
import type { PeakTracker } from '../../../src/chia/peaks/peak-tracker.js';
import type { PeerLink } from '../../../src/chia/link/peer-link.js';
import { RequestRouter } from '../../../src/chia/pool/request-router.js';
import { SILENT_LOGGER } from '../../../src/chia/logger.js';
import type { LinkState } from '../../../src/chia/upstream-api.js';

const RIDE_THROUGH_MS = 5_000;

/** A slot of the wallet role in `state`, whose link answers every request once it comes back. */
function slotIn(state: LinkState, retryInMs: number | null = null) {
  const slot = Object.assign(new EventEmitter(), {
    deps: { role: 'wallet' },
    state,
    retry: retryInMs === null ? null : { cause: 'failed', at: Date.now() + retryInMs, reason: 'backoff' },
    link: null as PeerLink | null,
  });
  /** Makes the slot ready with a link that answers, as a reconnect does. */
  const comeBack = () => {
    slot.link = { address: '127.0.0.1:8444', state: 'ready', inFlight: 0, queued: 0, request: async () => ({ kind: 'ok', type: 0, data: new Uint8Array() }) } as unknown as PeerLink;
    slot.state = 'ready';
    slot.emit('state', 'ready');
  };
  return Object.assign(slot, { comeBack });
}

function routerOver(slots: ReturnType<typeof slotIn>[]) {
  const peaks = { latest: () => undefined, lag: () => 0 } as unknown as PeakTracker;
  return new RequestRouter({
    slots: slots as unknown as LinkSlot[],
    peaks,
    roles: ['wallet'],
    isClosed: () => false,
    report: () => undefined,
    logger: SILENT_LOGGER,
    rideThroughMs: RIDE_THROUGH_MS,
  });
}

const ask = (router: RequestRouter) => router.request('wallet', 'request_block_header', { height: 1 }, 1, () => 'answered');

describe('ride-through', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fails NO_READY_LINK at once when no link of the role has a peer to go to (idle)', async () => {
    await expect(ask(routerOver([slotIn('idle', 15_000)]))).rejects.toMatchObject({ code: 'NO_READY_LINK' });
  });

  it('fails at once when the next attempt is later than the ride-through (a ban, a long backoff)', async () => {
    await expect(ask(routerOver([slotIn('reconnecting', RIDE_THROUGH_MS + 1_000)]))).rejects.toMatchObject({ code: 'NO_READY_LINK' });
  });

  it('waits for a link coming back and sends the request on it', async () => {
    const slot = slotIn('reconnecting', 1_000);
    const answer = ask(routerOver([slot]));
    await vi.advanceTimersByTimeAsync(1_500);
    slot.comeBack();
    await expect(answer).resolves.toBe('answered');
  });

  it('listens to a slot once however many requests wait on it', async () => {
    const slot = slotIn('reconnecting', 1_000);
    const router = routerOver([slot]);
    const answers = Array.from({ length: 50 }, () => ask(router));
    await vi.advanceTimersByTimeAsync(10);
    expect(slot.listenerCount('state')).toBe(1);
    slot.comeBack();
    expect(await Promise.all(answers)).toEqual(Array(50).fill('answered'));
  });

  it('gives up after the ride-through time', async () => {
    const answer = ask(routerOver([slotIn('connecting')]));
    const failed = expect(answer).rejects.toBeInstanceOf(UpstreamError);
    await vi.advanceTimersByTimeAsync(RIDE_THROUGH_MS);
    await failed;
    await expect(answer).rejects.toMatchObject({ code: 'NO_READY_LINK' });
  });
});

describe('one request to several peers (requestEach)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const askEach = (router: RequestRouter) => router.requestEach('wallet', 'request_block_header', { height: 1 }, 3, () => 'answered');

  it('fails NO_READY_LINK at once when no link of the role has a peer to go to', async () => {
    await expect(askEach(routerOver([slotIn('idle', 15_000)]))).rejects.toMatchObject({ code: 'NO_READY_LINK' });
  });

  it('rides through a drop like a single request, then asks every ready peer once', async () => {
    const slot = slotIn('reconnecting', 1_000);
    const answers = askEach(routerOver([slot]));
    await vi.advanceTimersByTimeAsync(1_500);
    slot.comeBack();
    expect(await answers).toEqual([{ peer: '127.0.0.1:8444', result: { status: 'fulfilled', value: 'answered' } }]);
  });
});
