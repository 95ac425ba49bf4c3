/**
 * Property: whatever the interleaving of peaks, reorgs, dropped connections, reconnects with
 * `last_event_id` and re-subscribes, a client that applies the stream sees every event exactly once,
 * in stream order (that of a client connected throughout), unless the server said `gap` just before
 * the jump; and it ends at the newest event.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPeakHub } from '../../src/live/peak-hub.js';
import { PeakSource } from '../../fake-node/in-memory/peak-source.js';
import { MemorySink } from './memory-sink.js';

type Op = 'advance' | 'drop' | 'reconnect' | 'resubscribe' | { reorg: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Op>('advance') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map<Op>((depth) => ({ reorg: depth })) },
  { weight: 2, arbitrary: fc.constant<Op>('drop') },
  { weight: 2, arbitrary: fc.constant<Op>('reconnect') },
  { weight: 1, arbitrary: fc.constant<Op>('resubscribe') },
);

function run(replaySize: number, ops: Op[]): void {
  const source = new PeakSource();
  const hub = createPeakHub(source, {
    replaySize,
    heartbeatMs: 3_600_000,
    sendBufferBytes: 1 << 30,
    maxMessageBytes: 4096,
    server: { name: 't', version: '0' },
  });
  // Connected throughout: the stream's order, in which each id has one place.
  const witness = new MemorySink();
  hub.attach(witness);
  const placeOf = (id: string) => witness.ids().indexOf(id);
  let sink: MemorySink | null = null;
  let client: ReturnType<typeof hub.attach> | null = null;
  let read = 0;
  let applied: string | null = null;
  let gapAnnounced = false;

  const consume = () => {
    if (sink === null) return;
    for (; read < sink.messages.length; read++) {
      const m = sink.messages[read]!;
      if (m.type === 'hello' && applied === null) applied = m.last_event_id as string | null;
      if (m.type === 'gap') gapAnnounced = true;
      if (m.type !== 'peak' && m.type !== 'reorg') continue;
      const id = String(m.id);
      const place = placeOf(id);
      const last = applied === null ? -1 : placeOf(applied);
      expect(place, 'an event of the stream').toBeGreaterThanOrEqual(0);
      expect(place, 'no duplicate').toBeGreaterThan(last);
      if (applied !== null && place !== last + 1) expect(gapAnnounced, `jump ${applied} → ${id} without gap`).toBe(true);
      applied = id;
      gapAnnounced = false;
    }
  };
  const reconnect = () => {
    if (sink !== null) return;
    sink = new MemorySink();
    read = 0;
    client = hub.attach(sink, applied === null ? null : { lastEventId: applied });
  };

  reconnect();
  consume();
  for (const o of ops) {
    if (o === 'advance') source.advance();
    else if (o === 'drop') {
      if (client) hub.detach(client);
      sink = null;
      client = null;
    } else if (o === 'reconnect') reconnect();
    else if (o === 'resubscribe') {
      if (client) hub.receive(client, JSON.stringify({ type: 'subscribe', topics: ['peaks'], last_event_id: applied ?? '0' }));
    } else source.reorg(o.reorg);
    consume();
  }
  reconnect();
  consume();
  const observer = new MemorySink();
  hub.attach(observer);
  expect(applied).toBe(observer.messages[0]?.last_event_id);
  hub.close();
}

describe('replay property', () => {
  it('never loses or duplicates an event silently', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 60 }), (replaySize, ops) => run(replaySize, ops)),
      { numRuns: 300 },
    );
  });
});
