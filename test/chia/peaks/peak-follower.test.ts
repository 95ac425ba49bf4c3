/**
 * The follower turns links' peak announcements into changes of the best peak: a first peak that
 * would replace the best from a peer that never announced it is related to the best through its
 * parent (one request of a message the link may send), and only then; a failed parent request
 * leaves the bounded guess, and a forgotten peer's best is recomputed.
 */
import { describe, expect, it } from 'vitest';
import { encodeMessage, decodeFrame, MessageType, toHex, types } from '../../../src/chia/codec/index.js';
import { SILENT_LOGGER } from '../../../src/chia/logger.js';
import type { PeerLink } from '../../../src/chia/link/peer-link.js';
import { PeakFollower, type Exchange } from '../../../src/chia/peaks/peak-follower.js';
import { NodeType } from '../../../src/chia/protocol/message-rules.js';
import type { PeakChange } from '../../../src/chia/upstream-api.js';
import { FakeChain } from '../../../fake-node/chain.js';

const DEPTH = 32;
const chain = new FakeChain(new Uint8Array(32).fill(0xcc), 40);

/** A ready wallet link to `address` (the follower reads only these fields). */
const linkTo = (address: string) => ({ address, state: 'ready', nodeType: NodeType.WALLET, role: 'wallet' }) as unknown as PeerLink;

/** new_peak_wallet for the chain's block at `height`, as a link receives it; fork point = height as on connect (§c.7). */
const announcement = (height: number) =>
  decodeFrame(
    encodeMessage(
      'new_peak_wallet',
      { header_hash: chain.headerHash(height), height, weight: BigInt(height) * 10n, fork_point_with_previous_peak: height },
      null,
    ),
  );

function setup(exchange: Exchange) {
  const changes: PeakChange[] = [];
  const announced: string[] = [];
  const follower = new PeakFollower({
    unverifiedForkDepth: DEPTH,
    exchange,
    isClosed: () => false,
    onChange: (change) => changes.push(change),
    onAnnounced: (link) => announced.push(link.address),
    logger: SILENT_LOGGER,
  });
  return { follower, changes, announced };
}

describe('PeakFollower', () => {
  it('relates a new peer’s first, heavier peak to the best through its parent, asked once with request_block_header', async () => {
    const asked: string[] = [];
    const exchange: Exchange = async (link, message, payload, accept) => {
      asked.push(`${message} ${JSON.stringify(payload)}`);
      const data = types.RespondBlockHeader.encode({ header_block: chain.headerBlock(11, true) });
      return accept({ kind: 'ok', type: MessageType.respond_block_header, data, peer: link.address } as Parameters<typeof accept>[0]);
    };
    const { follower, changes, announced } = setup(exchange);
    follower.follow(announcement(10), linkTo('a:1'));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ peak: { height: 10 }, previous: null, forkPoint: null });
    expect(asked).toEqual([]);

    follower.follow(announcement(11), linkTo('b:1'));
    await expect.poll(() => changes.length).toBe(2);
    expect(asked).toEqual(['request_block_header {"height":11}']);
    // The parent is the previous best: the new peak extends it, nothing was rolled back.
    expect(changes[1]).toMatchObject({ peak: { height: 11, header_hash: toHex(chain.headerHash(11)) }, forkPoint: null });
    expect(announced).toEqual(['a:1', 'b:1']);
  });

  it('keeps the peak with a bounded guess when the parent request fails', async () => {
    const { follower, changes } = setup(() => Promise.reject(new Error('no answer')));
    follower.follow(announcement(36), linkTo('a:1'));
    follower.follow(announcement(37), linkTo('b:1'));
    await expect.poll(() => changes.length).toBe(2);
    expect(changes[1]).toMatchObject({ peak: { height: 37 }, forkPoint: 36 - DEPTH });
  });

  it('ignores an undecodable announcement, and recomputes the best when its only peer is forgotten', () => {
    const { follower, changes } = setup(() => Promise.reject(new Error('not asked')));
    follower.follow({ type: MessageType.new_peak_wallet, id: null, data: Uint8Array.of(1, 2, 3) }, linkTo('a:1'));
    expect(changes).toEqual([]);
    follower.follow(announcement(10), linkTo('a:1'));
    follower.follow(announcement(9), linkTo('b:1'));
    expect(follower.best?.height).toBe(10);
    follower.forget('a:1');
    expect(follower.best).toMatchObject({ height: 9, peers: ['b:1'] });
    expect(changes.at(-1)).toMatchObject({ peak: { height: 9 }, previous: { height: 10 } });
  });
});
