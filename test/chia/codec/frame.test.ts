/** Frames (PROTOCOL.md §b) and message-type tables. */
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  decodeFrame,
  encodeFrame,
  encodeMessage,
  fromHex,
  MessageType,
  messageName,
  payloadType,
  toHex,
  types,
} from '../../../src/chia/codec/index.js';
import { catchCodec } from './catch-codec.js';

const hex = (s: string): string => '0x' + s.replace(/\s+/g, '');

describe('worked frame examples (§b.4)', () => {
  it('request_block_header(100), id 0', () => {
    expect(toHex(encodeMessage('request_block_header', { height: 100 }, 0))).toBe(hex('33 01 0000 00000004 00000064'));
  });
  it('request_block(100, true), id 7', () => {
    const frame = encodeMessage('request_block', { height: 100, include_transaction_block: true }, 7);
    expect(toHex(frame)).toBe(hex('1a 01 0007 00000005 00000064 01'));
  });
  it('request_block_headers(1000, 1031, false), id 1', () => {
    const frame = encodeMessage('request_block_headers', { start_height: 1000, end_height: 1031, return_filter: false }, 1);
    expect(toHex(frame)).toBe(hex('56 01 0001 00000009 000003e8 00000407 00'));
  });
  it('request_peers(), no id', () => {
    expect(toHex(encodeMessage('request_peers', {}, null))).toBe(hex('2b 00 00000000'));
  });
  it('the WALLET handshake with caps 1, 2, 3', () => {
    const hs = {
      network_id: 'mainnet',
      protocol_version: '0.0.38',
      software_version: '2.7.3',
      server_port: 0,
      node_type: 6,
      capabilities: [
        [1, '1'],
        [2, '1'],
        [3, '1'],
      ] as [number, string][],
    };
    const frame = encodeMessage('handshake', hs, null);
    expect(frame.length).toBe(64);
    expect(toHex(frame)).toBe(
      hex(
        '01 00 0000003a 00000007 6d61696e6e6574 00000006 302e302e3338 00000005 322e372e33 0000 06 00000003 0001 00000001 31 0002 00000001 31 0003 00000001 31',
      ),
    );
    expect(types.Handshake.decode(decodeFrame(frame).data)).toEqual(hs);
  });
  it('new_peak_wallet as the node sends it', () => {
    const f = decodeFrame(
      fromHex('320000000038ee50e45652cb6a60e3ab0031aa425a6019648fe5344ae860e6fc14af1aa3c2fa412c66109c1a550f8058ef4f41d254faf3a2be3007f7d0db'),
    );
    expect(f.type).toBe(MessageType.new_peak_wallet);
    expect(f.id).toBeNull();
    const peak = types.NewPeakWallet.decode(f.data);
    expect(typeof peak.weight).toBe('bigint');
    expect(payloadType(f.type)).toBe(types.NewPeakWallet);
  });
  it('configure_window_sizes with the reference table (118 bytes)', () => {
    const data =
      '1d0002 1e0000 1f0000 1a0002 1b0000 1c0000 330002 340000 350000 560002 580000 570000 3c0002 3e0000 3d0000 460002 470000 480002 490000 620002 630000 640000 650002 660000 670000 390002 3a0000 3b0000 360002 370000 380000 180002 190000 2d0002 2e0000 2f0000';
    const frame = fromHex('6f000000007000000024' + data.replace(/\s+/g, ''));
    expect(frame.length).toBe(118);
    const v = types.ConfigureWindowSizes.decode(decodeFrame(frame).data);
    expect(v.settings.length).toBe(36);
    expect(v.settings[0]).toEqual([0x1d, 2]);
    expect(toHex(encodeMessage('configure_window_sizes', v, null))).toBe(toHex(frame));
  });
});

describe('decodeFrame strictness', () => {
  const ok = fromHex('2b0000000000');
  it('accepts a minimal frame and returns a view', () => {
    const f = decodeFrame(ok);
    expect(f).toMatchObject({ type: 43, id: null });
    expect(f.data.buffer).toBe(ok.buffer);
  });
  it.each([
    ['too short', '2b00000000'],
    ['id flag 2', '2b020000000000'],
    ['length larger than the data', '2b000000000300'],
    ['trailing byte', '2b000000000000'],
    ['length says 1, data missing', '2b0000000001'],
    ['id truncated', '2b0100'],
  ])('rejects %s', (_what, h) => {
    expect(() => decodeFrame(fromHex(h))).toThrow(CodecError);
  });
  it('rejects a length field that overstates the data, with an offset', () => {
    const err = catchCodec(() => decodeFrame(fromHex('1a010007000000050000006401ff')));
    expect(err.offset).toBe(4);
    expect(err.path).toBe('Message.data');
  });
  it('encodeFrame validates type and id', () => {
    expect(() => encodeFrame({ type: 256, id: null, data: new Uint8Array() })).toThrow(CodecError);
    expect(() => encodeFrame({ type: 1, id: 65536, data: new Uint8Array() })).toThrow(CodecError);
    expect(() => encodeFrame({ type: 1, id: -1, data: new Uint8Array() })).toThrow(CodecError);
  });
  it('encodeMessage refuses a message without payload codec and bad payloads', () => {
    // @ts-expect-error farm_new_block has no payload codec: typed callers cannot even ask.
    expect(() => encodeMessage('farm_new_block', {}, null)).toThrow(CodecError);
    expect(() => encodeMessage('request_block', { height: -1, include_transaction_block: true }, 1)).toThrow(/RequestBlock\.height/);
  });
});

describe('message types', () => {
  it('maps ids and names both ways, including every payload id', () => {
    expect(MessageType.handshake).toBe(1);
    expect(MessageType.error).toBe(255);
    expect(MessageType.new_peak_wallet).toBe(50);
    expect(MessageType.respond_block_headers).toBe(88);
    expect(MessageType.configure_window_sizes).toBe(111);
    expect(messageName(86)).toBe('request_block_headers');
    expect(messageName(2)).toBeUndefined();
    for (const [name, id] of Object.entries(MessageType)) expect(messageName(id)).toBe(name);
    const ids = Object.values(MessageType);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('knows the payload class of every gateway message', () => {
    const expected: Record<number, string> = { 1: 'Handshake', 255: 'Error', 20: 'NewPeak', 30: 'RespondBlocks', 62: 'RespondHeaderBlocks', 88: 'RespondBlockHeaders', 91: 'NoneResponse', 76: 'RequestSESInfo' };
    for (const [id, cls] of Object.entries(expected)) expect(payloadType(Number(id))?.name).toBe(cls);
    expect(payloadType(65)).toBeUndefined();
  });
});
