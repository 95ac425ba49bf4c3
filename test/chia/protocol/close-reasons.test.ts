import { describe, expect, it } from 'vitest';
import { describeClose } from '../../../src/chia/protocol/close-reasons.js';
import { RATE_LIMITER_BAN_MS, SHORT_BAN_MS } from '../../../src/chia/protocol/limits.js';

describe('describeClose', () => {
  it('reads the Err code of a 1002 close (§i.3)', () => {
    expect(describeClose(1002, '110')).toMatchObject({ banMs: SHORT_BAN_MS, handshakeCode: 'WRONG_NETWORK' });
    expect(describeClose(1002, '110').text).toContain('INCOMPATIBLE_NETWORK_ID');
    expect(describeClose(1002, '-6')).toMatchObject({ banMs: SHORT_BAN_MS, handshakeCode: 'HANDSHAKE_FAILED' });
    expect(describeClose(1002, '-6').text).toContain('INVALID_HANDSHAKE');
    expect(describeClose(1002, '1').text).toContain('node-type violation');
    expect(describeClose(1002, '-4').text).toContain('INVALID_PROTOCOL_MESSAGE');
  });

  it('treats 1000 as a refusal during the handshake, without a known ban', () => {
    expect(describeClose(1000, '')).toMatchObject({ banMs: null, handshakeCode: 'PEER_REFUSED' });
  });

  it('knows the bans of 1009 (300 s) and 1011 (10 s) and describes unknown ones', () => {
    expect(describeClose(1009, '').banMs).toBe(RATE_LIMITER_BAN_MS);
    expect(describeClose(1011, '125').banMs).toBe(SHORT_BAN_MS);
    expect(describeClose(1011, '125').text).toContain('INTERNAL_PROTOCOL_ERROR');
    expect(describeClose(4000, 'x').text).toContain('4000');
    expect(describeClose(1006, '').banMs).toBeNull();
  });
});
