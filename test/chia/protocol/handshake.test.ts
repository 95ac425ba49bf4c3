import { describe, expect, it } from 'vitest';
import { MessageType, decodeFrame, encodeFrame, encodeMessage, types } from '../../../src/chia/codec/index.js';
import { CAPABILITIES, PROTOCOL_VERSION, checkHandshake, handshakeFrame } from '../../../src/chia/protocol/handshake.js';
import { NodeType } from '../../../src/chia/protocol/message-rules.js';

const nodeReply = (over: Record<string, unknown> = {}) =>
  decodeFrame(
    encodeMessage(
      'handshake',
      { network_id: 'mainnet', protocol_version: '0.0.38', software_version: '2.7.3', server_port: 8444, node_type: 1, capabilities: [[1, '1'], [2, '1'], [3, '1']], ...over },
      null,
    ),
  );

describe('handshake', () => {
  it('announces the role, 0.0.38 / 0.0.36, capabilities 1, 2, 3, 6 and never 7 (PROTOCOL.md §c)', () => {
    const wallet = types.Handshake.decode(decodeFrame(handshakeFrame('wallet', 'mainnet')).data);
    expect(wallet).toMatchObject({ network_id: 'mainnet', protocol_version: '0.0.38', server_port: 0, node_type: NodeType.WALLET });
    expect(wallet.capabilities).toEqual([[1, '1'], [2, '1'], [3, '1'], [6, '1']]);
    const full = types.Handshake.decode(decodeFrame(handshakeFrame('full_node', 'testnet11')).data);
    expect(full).toMatchObject({ network_id: 'testnet11', protocol_version: PROTOCOL_VERSION.full_node, node_type: NodeType.FULL_NODE });
    expect(CAPABILITIES.some(([id]) => id === 7)).toBe(false);
  });

  it('matches the §b.4 frame layout (type 1, no id, u32 length)', () => {
    const frame = handshakeFrame('wallet', 'mainnet');
    expect(frame[0]).toBe(1);
    expect(frame[1]).toBe(0);
    expect(new DataView(frame.buffer, frame.byteOffset).getUint32(2)).toBe(frame.length - 6);
  });

  it('accepts a full node on our network and notes RATE_LIMITS_V2', () => {
    expect(checkHandshake(nodeReply(), 'mainnet')).toMatchObject({ ok: true, v2Limits: true });
    expect(checkHandshake(nodeReply({ capabilities: [[1, '1'], [3, '0']] }), 'mainnet')).toMatchObject({ ok: true, v2Limits: false });
  });

  it('reports WRONG_NETWORK, WRONG_NODE_TYPE and HANDSHAKE_FAILED', () => {
    expect(checkHandshake(nodeReply({ network_id: 'testnet11' }), 'mainnet')).toMatchObject({ ok: false, code: 'WRONG_NETWORK' });
    expect(checkHandshake(nodeReply({ node_type: 6 }), 'mainnet')).toMatchObject({ ok: false, code: 'WRONG_NODE_TYPE' });
    expect(checkHandshake({ type: MessageType.new_peak, id: null, data: new Uint8Array() }, 'mainnet')).toMatchObject({ ok: false, code: 'HANDSHAKE_FAILED' });
    const garbled = decodeFrame(encodeFrame({ type: MessageType.handshake, id: null, data: Uint8Array.of(0, 0, 0, 9) }));
    expect(checkHandshake(garbled, 'mainnet')).toMatchObject({ ok: false, code: 'HANDSHAKE_FAILED', message: 'undecodable handshake' });
  });
});
