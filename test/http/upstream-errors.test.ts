/**
 * Each condition the protocol core reports has its own code, and each maps to one catalogue entry.
 * A request the gateway should never have made is its own bug (500); a request never sent because the
 * link is at its cap is busy (503 with Retry-After), like one the pacing queue refused.
 */
import { describe, expect, it } from 'vitest';
import { UpstreamError, type UpstreamErrorCode } from '../../src/chia/index.js';
import { ApiError, fromUpstream } from '../../src/http/errors.js';

describe('upstream error codes in the catalogue', () => {
  it.each<[UpstreamErrorCode, number, string, string | undefined]>([
    ['TOO_MANY_IN_FLIGHT', 503, 'UPSTREAM_BUSY', '1'],
    ['PACING_QUEUE_FULL', 503, 'UPSTREAM_BUSY', '1'],
    ['ROLE_FORBIDDEN', 500, 'INTERNAL_ERROR', undefined],
    ['MESSAGE_TOO_LARGE', 500, 'INTERNAL_ERROR', undefined],
    ['INVALID_REQUEST', 500, 'INTERNAL_ERROR', undefined],
    ['STATE_REORG', 409, 'STATE_REORG', undefined],
    ['SUBSCRIPTION_LIMIT', 503, 'SUBSCRIPTION_LIMIT', '1'],
    ['TRANSACTION_TOO_LARGE', 413, 'TRANSACTION_TOO_LARGE', undefined],
  ])('%s → %i %s, with the upstream error as its cause', (code, status, apiCode, retryAfter) => {
    const cause = new UpstreamError(code, 'what the core said');
    const mapped = fromUpstream(cause, { role: 'wallet' });
    expect(mapped).toBeInstanceOf(ApiError);
    expect(mapped).toMatchObject({ status, code: apiCode, cause });
    expect((mapped as ApiError).headers['retry-after']).toBe(retryAfter);
  });
});
