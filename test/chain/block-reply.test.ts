/** Range bodies: one buffer when small, a stream over the parts (no extra copy) when large. */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { STREAM_ABOVE_BYTES, joined } from '../../src/chain/block-reply.js';

describe('joined', () => {
  it('joins a small body into one buffer', () => {
    const body = joined([Buffer.from('{"a":'), new Uint8Array([0x31]), Buffer.from('}')]);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(body.toString()).toBe('{"a":1}');
  });

  it('streams a body above the threshold, byte for byte and without copying its parts', async () => {
    const big = Buffer.alloc(STREAM_ABOVE_BYTES, 0x61);
    const parts = [Buffer.from('['), big, Buffer.from(']')];
    const body = joined(parts);
    expect(body).toBeInstanceOf(Readable);
    const chunks: Buffer[] = [];
    for await (const chunk of body as Readable) chunks.push(chunk as Buffer);
    expect(chunks[1]).toBe(big);
    expect(Buffer.concat(chunks).equals(Buffer.concat(parts))).toBe(true);
    expect((await buffer(joined(parts) as Readable)).length).toBe(STREAM_ABOVE_BYTES + 2);
  });
});
