/**
 * Handlers shared by the full-block and header-block routes: one height, or a range start ≤ h < end.
 * Both serve from the block cache, which loads misses from the peers in aligned batches.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BlockKind } from './block-cache.js';
import { sendBlock, sendBlockRange } from './block-reply.js';
import { ROLE_OF, clientOf, clipRange, lookupBlock, lookupRange, requireAtMostPeak, requirePeak } from './chain-lookup.js';
import { negotiate } from '../http/representation.js';

/**
 * GET one block of `kind` by height. A cache hit is answered synchronously (the handler returns
 * nothing after sending): no promise on the hot path; a miss returns the promise of its reply.
 */
export function oneBlockHandler(app: FastifyInstance, kind: BlockKind) {
  const role = ROLE_OF[kind];
  return (request: FastifyRequest<{ Params: { height: number } }>, reply: FastifyReply): Promise<FastifyReply> | undefined => {
    const representation = negotiate(request, true);
    const { height } = request.params;
    const peak = requirePeak(app, role);
    requireAtMostPeak(height, peak);
    const found = lookupBlock(app.blockCache, kind, height, peak, clientOf(request));
    const context = { cache: app.blockCache, representation, peakHeight: peak.height, confirmations: app.config.confirmations };
    if (found instanceof Promise) return found.then((entry) => sendBlock(request, reply, entry, context));
    sendBlock(request, reply, found, context);
    return undefined;
  };
}

/** GET blocks of `kind` with heights start ≤ h < end (at most 100, clipped to the peak). */
export function blockRangeHandler(app: FastifyInstance, kind: BlockKind) {
  return async (request: FastifyRequest<{ Querystring: { start: number; end: number } }>, reply: FastifyReply) => {
    const representation = negotiate(request, true);
    const peak = requirePeak(app, ROLE_OF[kind]);
    const range = clipRange(request.query.start, request.query.end, peak);
    const blocks = await lookupRange(app.blockCache, kind, range, peak, clientOf(request));
    const context = { cache: app.blockCache, representation, peakHeight: peak.height, confirmations: app.config.confirmations };
    return sendBlockRange(request, reply, { ...range, blocks }, context);
  };
}
