import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/chia/codec/index.js';
import { ALLOWED_SENDERS, NodeType, REPLIES, maySend, replyTo, type RequestName } from '../../../src/chia/protocol/message-rules.js';
import { RATE_LIMITS_V2 } from '../../../src/chia/protocol/rate-limits.js';

const { FULL_NODE, WALLET } = NodeType;

/** How the reply table takes message `reply` as an answer to `request`. */
const kindOf = (request: RequestName, reply: number) => replyTo(request, reply, new Uint8Array())?.kind ?? 'invalid';

describe('message rules (PROTOCOL.md §d.2, §e.2)', () => {
  it('lets only a full node send request_block(s) and only a wallet send wallet requests', () => {
    expect(maySend(FULL_NODE, MessageType.request_blocks)).toBe(true);
    expect(maySend(FULL_NODE, MessageType.request_block)).toBe(true);
    expect(maySend(WALLET, MessageType.request_blocks)).toBe(false);
    expect(maySend(WALLET, MessageType.request_block)).toBe(false);
    for (const name of ['request_block_headers', 'request_block_header', 'request_header_blocks', 'request_additions', 'request_removals'] as const) {
      expect(maySend(WALLET, MessageType[name])).toBe(true);
      expect(maySend(FULL_NODE, MessageType[name])).toBe(false);
    }
  });

  it('lets both roles send request_peers and the handshake, and nobody send none_response or unknown ids', () => {
    expect(maySend(WALLET, MessageType.request_peers)).toBe(true);
    expect(maySend(FULL_NODE, MessageType.request_peers)).toBe(true);
    expect(maySend(WALLET, MessageType.handshake)).toBe(true);
    expect(maySend(FULL_NODE, MessageType.none_response)).toBe(false);
    expect(maySend(WALLET, 250)).toBe(false);
  });

  it('forbids every response to a client role except through the full-node role', () => {
    expect(maySend(WALLET, MessageType.respond_block)).toBe(false);
    expect(maySend(WALLET, MessageType.new_peak)).toBe(false);
  });

  it('classifies replies: ok, reject, error (255) for anything, and wrong types as invalid', () => {
    expect(kindOf('request_blocks', MessageType.respond_blocks)).toBe('ok');
    expect(kindOf('request_blocks', MessageType.reject_blocks)).toBe('reject');
    expect(kindOf('request_blocks', MessageType.error)).toBe('reject');
    expect(kindOf('request_blocks', MessageType.respond_block)).toBe('invalid');
    expect(kindOf('request_block_headers', MessageType.reject_header_blocks)).toBe('reject');
    expect(kindOf('request_additions', MessageType.respond_removals)).toBe('invalid');
    expect(kindOf('request_peers', 250)).toBe('invalid');
    // new_peak expects no reply: it is no request, so nothing can answer it.
    expect(REPLIES).toHaveProperty('request_blocks');
    expect(REPLIES).not.toHaveProperty('new_peak');
  });

  it('names only real message types, each with a v2 rate limit', () => {
    const names = new Set([...Object.keys(ALLOWED_SENDERS), ...Object.keys(REPLIES), ...Object.values(REPLIES).flatMap((r) => [...r.ok, ...r.reject])]);
    for (const name of names) {
      expect(MessageType, name).toHaveProperty(name);
      if (name !== 'farm_new_block') expect(RATE_LIMITS_V2, name).toHaveProperty(name);
    }
  });
});
