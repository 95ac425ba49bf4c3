import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageType } from '../../../src/chia/codec/index.js';
import { UpstreamError } from '../../../src/chia/errors.js';
import { MAX_REQUEST_ID, RequestMap, TIMED_OUT_MEMORY, type IncomingFrame } from '../../../src/chia/link/request-map.js';

const REQ = 'request_blocks';
const OK = MessageType.respond_blocks;
const data = new Uint8Array([1, 2, 3]);

function makeMap(options: { maxInFlight?: number } = {}) {
  const unsolicited: IncomingFrame[] = [];
  const invalid: IncomingFrame[] = [];
  const debug = vi.fn();
  const map = new RequestMap({
    ...options,
    onUnsolicited: (f) => unsolicited.push(f),
    onInvalidReply: (f) => invalid.push(f),
    logger: { debug },
  });
  return { map, unsolicited, invalid, debug };
}

describe('RequestMap', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('correlates out-of-order replies by id and classifies rejects', async () => {
    const { map } = makeMap();
    const a = map.register(REQ, 1_000);
    const b = map.register(REQ, 1_000);
    expect([a.id, b.id]).toEqual([0, 1]);
    expect(map.route({ type: MessageType.reject_blocks, id: b.id, data })).toBe('reply');
    expect(map.route({ type: OK, id: a.id, data })).toBe('reply');
    await expect(a.reply).resolves.toEqual({ kind: 'ok', type: OK, data });
    await expect(b.reply).resolves.toMatchObject({ kind: 'reject' });
    expect(map.size).toBe(0);
  });

  it('times out, then recognises the late reply and drops it with a debug log', async () => {
    const { map, unsolicited, debug } = makeMap();
    const a = map.register(REQ, 1_000);
    const settled = expect(a.reply).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    await vi.advanceTimersByTimeAsync(1_000);
    await settled;
    expect(map.route({ type: OK, id: a.id, data })).toBe('late');
    expect(debug).toHaveBeenCalledOnce();
    expect(unsolicited).toHaveLength(0);
  });

  it('routes notifications and unknown ids to the unsolicited handler', () => {
    const { map, unsolicited } = makeMap();
    expect(map.route({ type: MessageType.new_peak_wallet, id: null, data })).toBe('unsolicited');
    expect(map.route({ type: MessageType.request_peers, id: 40_000, data })).toBe('unsolicited');
    expect(unsolicited).toHaveLength(2);
  });

  it('rejects a wrong-typed reply with UPSTREAM_INVALID_REPLY and reports it', async () => {
    const { map, invalid } = makeMap();
    const a = map.register(REQ, 1_000);
    expect(map.route({ type: MessageType.respond_additions, id: a.id, data })).toBe('invalid');
    await expect(a.reply).rejects.toMatchObject({ code: 'UPSTREAM_INVALID_REPLY' });
    expect(invalid).toHaveLength(1);
  });

  it('wraps ids at 32767 and skips pending and timed-out ids', async () => {
    const { map } = makeMap({ maxInFlight: 5 });
    const first = map.register(REQ, 1_000); // id 0 stays pending
    const timedOut = map.register(REQ, 10); // id 1 times out
    timedOut.reply.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10);
    const ids: number[] = [];
    for (let i = 0; i < MAX_REQUEST_ID + 3; i++) {
      const r = map.register(REQ, 100_000);
      ids.push(r.id);
      map.route({ type: OK, id: r.id, data });
      await r.reply;
    }
    expect(ids[0]).toBe(2);
    expect(ids).not.toContain(0);
    expect(ids).not.toContain(1);
    expect(Math.max(...ids)).toBe(MAX_REQUEST_ID);
    expect(ids[MAX_REQUEST_ID - 2]).toBe(MAX_REQUEST_ID);
    expect(ids[MAX_REQUEST_ID - 1]).toBe(2); // wrapped past 0 and 1
    map.route({ type: OK, id: first.id, data });
    await first.reply;
  });

  it('remembers a bounded number of timed-out ids', async () => {
    const { map } = makeMap({ maxInFlight: 10_000 });
    const all = Array.from({ length: TIMED_OUT_MEMORY + 5 }, () => map.register(REQ, 10));
    for (const r of all) r.reply.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10);
    // The 5 oldest were forgotten: their late replies count as unsolicited, the newest as late.
    expect(map.route({ type: OK, id: 0, data })).toBe('unsolicited');
    expect(map.route({ type: OK, id: TIMED_OUT_MEMORY + 4, data })).toBe('late');
  });

  it('caps requests in flight', () => {
    const { map } = makeMap({ maxInFlight: 2 });
    map.register(REQ, 1_000).reply.catch(() => undefined);
    map.register(REQ, 1_000).reply.catch(() => undefined);
    expect(() => map.register(REQ, 1_000)).toThrow(UpstreamError);
    expect(() => map.register(REQ, 1_000)).toThrow(expect.objectContaining({ code: 'TOO_MANY_IN_FLIGHT' }));
    map.close(new UpstreamError('LINK_CLOSED', 'x'));
  });

  it('settles every pending request on close, once, and refuses new ones', async () => {
    const { map } = makeMap();
    const replies = [map.register(REQ, 1_000).reply, map.register(REQ, 1_000).reply];
    const error = new UpstreamError('LINK_CLOSED', 'link closed');
    map.close(error);
    map.close(new UpstreamError('CLOSED', 'again'));
    for (const r of replies) await expect(r).rejects.toBe(error);
    expect(() => map.register(REQ, 1_000)).toThrow(error);
    expect(map.size).toBe(0);
  });

  it('fails one request without remembering its id', async () => {
    const { map } = makeMap();
    const a = map.register(REQ, 1_000);
    map.fail(a.id, new Error('send failed'));
    await expect(a.reply).rejects.toThrow('send failed');
    expect(map.route({ type: OK, id: a.id, data })).toBe('unsolicited');
  });
});
