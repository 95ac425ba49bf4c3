import { describe, expect, it } from 'vitest';
import { ReplayBuffer, type ReplayEntry, type ReplayResult } from '../../src/live/replay-buffer.js';
import { serialize } from '../../src/live/live-events.js';
import { eventId } from '../../src/live/event-id.js';
import { hashOf } from '../../fake-node/in-memory/peak-source.js';

let seq = 0;
/** A peak at `height` on `branch` (its hash), with a reorg event before it when `reorg`. */
function entry(height: number, reorg = false, branch = 0): ReplayEntry {
  const events = [];
  const peakRef = { height, header_hash: hashOf(branch, height) };
  if (reorg) {
    const data = { fork_point: height - 2, rolled_back: { from: height - 1, to: height - 1 }, previous: peakRef, peak: peakRef };
    events.push(serialize({ type: 'reorg', id: eventId(height, peakRef.header_hash, 'reorg'), data }, seq++));
  }
  const data = { ...peakRef, weight: '1', fork_point_with_previous_peak: height - 1, peers: [], received_at: 0 };
  events.push(serialize({ type: 'peak', id: eventId(height, peakRef.header_hash, 'peak'), data }, seq++));
  return { height, events };
}

const peakId = (height: number, branch = 0) => eventId(height, hashOf(branch, height), 'peak');
const heightsOf = (result: ReplayResult | null) => result?.events.map((e) => e.height);

function filled(heights: number[], capacity = 10): ReplayBuffer {
  const buffer = new ReplayBuffer(capacity);
  for (const h of heights) buffer.push(entry(h));
  return buffer;
}

describe('ReplayBuffer', () => {
  it('rejects a non-positive capacity', () => {
    expect(() => new ReplayBuffer(0)).toThrow(RangeError);
  });

  it('is empty at first: no replay, no gap; an id is not placed', () => {
    const buffer = new ReplayBuffer(3);
    expect(buffer.oldest()).toBeNull();
    expect(buffer.latest()).toBeNull();
    expect(buffer.after({ since: 5 })).toEqual({ events: [], gap: false });
    expect(buffer.after({ lastEventId: peakId(5) })).toBeNull();
  });

  it('keeps the newest `capacity` peaks', () => {
    const buffer = filled([1, 2, 3, 4, 5], 3);
    expect(buffer.size).toBe(3);
    expect(buffer.oldest()).toEqual({ height: 3, eventId: peakId(3) });
    expect(buffer.latest()?.id).toBe(peakId(5));
  });

  it('replays after an event id, exactly', () => {
    const buffer = filled([10, 11, 12, 13]);
    expect(heightsOf(buffer.after({ lastEventId: peakId(11) }))).toEqual([12, 13]);
    expect(buffer.after({ lastEventId: peakId(13) })).toEqual({ events: [], gap: false });
  });

  it('does not place an id it does not hold: older than the buffer, another branch, or numeric', () => {
    const buffer = filled([1, 2, 3, 4, 5], 3);
    expect(buffer.after({ lastEventId: peakId(1) })).toBeNull();
    expect(buffer.after({ lastEventId: peakId(4, 1) })).toBeNull();
    expect(buffer.after({ lastEventId: '1700000000123' })).toBeNull();
    expect(buffer.gap()).toMatchObject({ gap: true });
    expect(heightsOf(buffer.gap())).toEqual([3, 4, 5]);
  });

  it('replays after a height', () => {
    const buffer = filled([10, 11, 12, 13]);
    expect(heightsOf(buffer.after({ since: 11 }))).toEqual([12, 13]);
    expect(buffer.after({ since: 13 })?.events).toEqual([]);
    expect(buffer.after({ since: 500 })?.events).toEqual([]);
    expect(buffer.after({ since: 9 })).toMatchObject({ gap: false });
    expect(buffer.after({ since: 9 })?.events).toHaveLength(4);
    expect(buffer.after({ since: 8 })?.gap).toBe(true);
  });

  it('replays the reorg with the peak it belongs to, and resumes mid-entry by id', () => {
    const buffer = new ReplayBuffer(5);
    buffer.push(entry(10));
    buffer.push(entry(11));
    buffer.push(entry(12, true));
    expect(buffer.after({ since: 11 })?.events.map((e) => e.type)).toEqual(['reorg', 'peak']);
    expect(buffer.after({ lastEventId: eventId(12, hashOf(0, 12), 'reorg') })?.events.map((e) => e.id)).toEqual([peakId(12)]);
  });

  it('after a reorg to lower heights, since picks the newest peak at or below it', () => {
    const buffer = new ReplayBuffer(10);
    for (const h of [10, 11, 12]) buffer.push(entry(h));
    for (const h of [11, 12, 13]) buffer.push(entry(h, false, 1));
    expect(buffer.after({ since: 12 })?.events.map((e) => e.id)).toEqual([peakId(13, 1)]);
    // Both branches' ids are held: each resumes exactly.
    expect(heightsOf(buffer.after({ lastEventId: peakId(12) }))).toEqual([11, 12, 13]);
  });
});
