import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { peakChange } from '../../src/chia/peaks/reorg.js';
import { reorgOf, serialize, sseBlock, wsTextFrame } from '../../src/live/live-events.js';
import { eventId, placeOf } from '../../src/live/event-id.js';
import { peakJson } from '../../src/chain/peak-json.js';
import { PeakMessage } from '../../schemas/live.js';
import type { Peak } from '../../src/chia/upstream-api.js';
import { hashOf } from '../../fake-node/in-memory/peak-source.js';

function peak(height: number, forkPoint: number, branch = 0): Peak {
  return {
    height,
    header_hash: hashOf(branch, height),
    weight: 2n ** 100n + BigInt(height),
    fork_point_with_previous_peak: forkPoint,
    peers: ['10.0.0.1:8444'],
    received_at: 1_700_000_000_000,
  };
}

/** ws's frame parser (exported at run time, not in @types/ws). */
interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer) => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = wsModule as unknown as { Receiver: new (options: { isServer: boolean }) => FrameReceiver };

/** Decodes server frames with ws's own parser (client side: frames must be unmasked). */
function decode(frame: Buffer): string[] {
  const out: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data) => out.push(data.toString('utf8')));
  receiver.write(frame);
  return out;
}

describe('live events', () => {
  it('renders weight as a decimal string (u128 is beyond 2^53)', () => {
    const data = peakJson(peak(5, 4));
    expect(data.weight).toBe((2n ** 100n + 5n).toString());
    expect(TypeCompiler.Compile(PeakMessage).Check({ type: 'peak', id: eventId(5, data.header_hash, 'peak'), data })).toBe(true);
  });

  it('finds no reorg for the first peak or a peak extending the previous one', () => {
    expect(reorgOf(peakChange(peak(5, 5), null))).toBeNull();
    expect(reorgOf(peakChange(peak(6, 5), peak(5, 4)))).toBeNull();
    // A node's first message reports fork point = its own height (PROTOCOL.md §c.7).
    expect(reorgOf(peakChange(peak(7, 7), peak(5, 4)))).toBeNull();
  });

  it('reports the heights rolled back when the fork point is below the previous height', () => {
    expect(reorgOf(peakChange(peak(11, 7, 1), peak(10, 9)))).toEqual({
      fork_point: 7,
      rolled_back: { from: 8, to: 10 },
      previous: { height: 10, header_hash: hashOf(0, 10) },
      peak: { height: 11, header_hash: hashOf(1, 11) },
    });
  });

  it('treats a different peak at or below the previous height as a reorg even if the fork point claims otherwise', () => {
    expect(reorgOf(peakChange(peak(10, 10, 1), peak(10, 9)))?.rolled_back).toEqual({ from: 10, to: 10 });
  });

  it.each([10, 125, 126, 300, 65_535, 65_536, 70_000])('builds a valid text frame of %i payload bytes', (size) => {
    const text = 'x'.repeat(size);
    expect(decode(wsTextFrame(Buffer.from(text)))).toEqual([text]);
  });

  it('serialises once into JSON, frame and SSE forms that agree', () => {
    const data = peakJson(peak(5, 4));
    const id = eventId(5, data.header_hash, 'peak');
    const event = serialize({ type: 'peak', id, data }, 42);
    expect(decode(event.frame)).toEqual([event.json]);
    expect(event.payload.toString()).toBe(event.json);
    expect(event.sse).toBe(`id: ${id}\nevent: peak\ndata: ${event.json}\n\n`);
    expect(id).toBe(`5:${data.header_hash.slice(2)}:peak`);
    expect(placeOf(id)).toEqual({ height: 5, headerHash: data.header_hash, kind: 'peak' });
    expect(placeOf('1700000000123')).toBeNull();
    expect(sseBlock('hello', '{}', null)).toBe('event: hello\ndata: {}\n\n');
  });
});
