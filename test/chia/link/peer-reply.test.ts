/**
 * Replies typed by their request (PROTOCOL.md §e.2): an answer decodes by the name of a message that
 * answers its request, and the compiler refuses any other (the @ts-expect-error lines fail
 * `npm run typecheck` the day they compile); at run time a reply of another type is an invalid reply.
 */
import { describe, expect, it } from 'vitest';
import { MessageType, types } from '../../../src/chia/codec/index.js';
import { decodeReply, rejectError, type PeerAnswer } from '../../../src/chia/link/peer-reply.js';
import { replyTo } from '../../../src/chia/protocol/message-rules.js';
import type { PeerLink } from '../../../src/chia/link/peer-link.js';
import type { RequestMap } from '../../../src/chia/link/request-map.js';

const PEER = '192.0.2.1:8444';
const hash = new Uint8Array(32).fill(7);

describe('typed replies', () => {
  it('decodes an answer by the name of the message that answers the request', () => {
    const data = types.RespondRemovals.encode({ height: 5, header_hash: hash, coins: [], proofs: null });
    const answer = replyTo('request_removals', MessageType.respond_removals, data);
    expect(answer?.kind).toBe('ok');
    if (answer?.kind !== 'ok') return;
    const removals = decodeReply({ ...answer, peer: PEER }, 'respond_removals');
    expect(removals).toMatchObject({ height: 5, coins: [], proofs: null });
    // @ts-expect-error respond_additions does not answer request_removals
    expect(() => decodeReply({ ...answer, peer: PEER }, 'respond_additions')).toThrow(expect.objectContaining({ code: 'UPSTREAM_INVALID_REPLY' }));
  });

  it('makes a non-request, a wrong payload or a reply of another request a compile error', () => {
    // Checked by the compiler only: never called.
    const _compileOnly = (map: RequestMap, link: PeerLink) => {
      // @ts-expect-error new_peak is no request: nothing answers it
      map.register('new_peak', 1_000);
      // @ts-expect-error request_block_header takes a height, not a range
      void link.request('request_block_header', { start_height: 1, end_height: 2 });
      const reply: PeerAnswer<'request_block_header'> = {
        kind: 'ok',
        // @ts-expect-error respond_block answers request_block, not request_block_header
        type: MessageType.respond_block,
        data: new Uint8Array(),
        peer: PEER,
      };
      return reply;
    };
    expect(replyTo('request_block_header', MessageType.respond_block, new Uint8Array())).toBeUndefined();
  });

  it('turns a refusal into UPSTREAM_REJECTED naming the reject, or the error message', () => {
    const reject = { kind: 'reject', type: MessageType.reject_removals_request, data: new Uint8Array(), peer: PEER } as const;
    expect(rejectError(reject, 'request_removals')).toMatchObject({ code: 'UPSTREAM_REJECTED', message: `${PEER} answered request_removals with reject_removals_request` });
    const data = types.Error.encode({ code: -4, message: 'bad', data: null });
    expect(rejectError({ kind: 'reject', type: MessageType.error, data, peer: PEER }, 'request_removals').message).toContain('error -4 bad');
  });
});
