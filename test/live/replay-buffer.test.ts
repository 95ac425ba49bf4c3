import { describe, expect, it } from 'vitest';
import { ReplayBuffer, type ReplayEntry } from '../../src/live/replay-buffer.js';
import { serialize } from '../../src/live/live-events.js';
import { hashOf } from '../../fake-node/in-memory/peak-source.js';

let nextId = 1;
function entry(height: number, reorg = false): ReplayEntry {
  const events = [];
  const peakRef = { height, header_hash: hashOf(reorg ? 1 : 0, height) };
  if (reorg) {
    events.push(
      serialize({
        type: 'reorg',
        id: nextId++,
        data: { fork_point: height - 2, rolled_back: { from: height - 1, to: height - 1 }, previous: peakRef, peak: peakRef },
      }),
    );
  }
  const data = { ...peakRef, weight: '1', fork_point_with_previous_peak: height - 1, peers: [], received_at: 0 };
  events.push(serialize({ type: 'peak', id: nextId++, data }));
  return { height, events };
}

function filled(heights: number[], capacity = 10): ReplayBuffer {
  nextId = 1;
  const buffer = new ReplayBuffer(capacity);
  for (const h of heights) buffer.push(entry(h));
  return buffer;
}

describe('ReplayBuffer', () => {
  it('rejects a non-positive capacity', () => {
    expect(() => new ReplayBuffer(0)).toThrow(RangeError);
  });

  it('is empty at first: no replay, no gap', () => {
    const buffer = new ReplayBuffer(3);
    expect(buffer.oldest()).toBeNull();
    expect(buffer.latestEventId()).toBeNull();
    expect(buffer.after({ since: 5 })).toEqual({ events: [], gap: false });
  });

  it('keeps the newest `capacity` peaks', () => {
    const buffer = filled([1, 2, 3, 4, 5], 3);
    expect(buffer.size).toBe(3);
    expect(buffer.oldest()).toEqual({ height: 3, eventId: 3 });
    expect(buffer.latestEventId()).toBe(5);
  });

  it('replays after an event id, exactly', () => {
    const buffer = filled([10, 11, 12, 13]);
    expect(buffer.after({ lastEventId: 2 }).events.map((e) => e.id)).toEqual([3, 4]);
    expect(buffer.after({ lastEventId: 4 })).toEqual({ events: [], gap: false });
    // The id just before the oldest held one: nothing is missing.
    expect(buffer.after({ lastEventId: 0 }).gap).toBe(false);
  });

  it('flags a gap for an id older than the buffer or never issued', () => {
    const buffer = filled([1, 2, 3, 4, 5], 3);
    const old = buffer.after({ lastEventId: 1 });
    expect(old.gap).toBe(true);
    expect(old.events.map((e) => e.id)).toEqual([3, 4, 5]);
    expect(buffer.after({ lastEventId: 2 }).gap).toBe(false);
    expect(buffer.after({ lastEventId: 99 }).gap).toBe(true);
  });

  it('replays after a height', () => {
    const buffer = filled([10, 11, 12, 13]);
    expect(buffer.after({ since: 11 }).events.map((e) => e.height)).toEqual([12, 13]);
    expect(buffer.after({ since: 13 }).events).toEqual([]);
    expect(buffer.after({ since: 500 }).events).toEqual([]);
    expect(buffer.after({ since: 9 })).toMatchObject({ gap: false });
    expect(buffer.after({ since: 9 }).events).toHaveLength(4);
    expect(buffer.after({ since: 8 }).gap).toBe(true);
  });

  it('replays the reorg with the peak it belongs to, and resumes mid-entry by id', () => {
    nextId = 1;
    const buffer = new ReplayBuffer(5);
    buffer.push(entry(10));
    buffer.push(entry(11));
    buffer.push(entry(12, true)); // ids 3 (reorg), 4 (peak)
    expect(buffer.after({ since: 11 }).events.map((e) => e.type)).toEqual(['reorg', 'peak']);
    expect(buffer.after({ lastEventId: 3 }).events.map((e) => e.id)).toEqual([4]);
  });

  it('after a reorg to lower heights, since picks the newest peak at or below it', () => {
    const buffer = filled([10, 11, 12, 11, 12, 13]);
    // ids 1..6; the newest peak at height ≤ 12 is id 5.
    expect(buffer.after({ since: 12 }).events.map((e) => e.id)).toEqual([6]);
  });
});
