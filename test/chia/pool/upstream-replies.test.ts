/** Which failures count as a wrong answer from the peer (retried elsewhere, peer deprioritised). */
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/chia/errors.js';
import { isInvalidReply } from '../../../src/chia/pool/upstream-replies.js';

describe('isInvalidReply', () => {
  const invalid = new UpstreamError('UPSTREAM_INVALID_REPLY', 'bad header hash');

  it('is true for UPSTREAM_INVALID_REPLY and for a link closed because of one (undecodable frame)', () => {
    expect(isInvalidReply(invalid)).toBe(true);
    expect(isInvalidReply(new UpstreamError('LINK_CLOSED', 'undecodable frame', { cause: invalid }))).toBe(true);
  });

  it('is false for a plain link close, a timeout, a reject and foreign errors', () => {
    expect(isInvalidReply(new UpstreamError('LINK_CLOSED', 'closed 1000'))).toBe(false);
    expect(isInvalidReply(new UpstreamError('LINK_CLOSED', 'missed a pong', { cause: new UpstreamError('UPSTREAM_TIMEOUT', 't') }))).toBe(false);
    expect(isInvalidReply(new UpstreamError('UPSTREAM_TIMEOUT', 'slow'))).toBe(false);
    expect(isInvalidReply(new UpstreamError('UPSTREAM_REJECTED', 'reject_blocks'))).toBe(false);
    expect(isInvalidReply(new RangeError('x'))).toBe(false);
    expect(isInvalidReply(undefined)).toBe(false);
  });
});
