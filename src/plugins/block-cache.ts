/**
 * Decorates the app with the block cache (src/chain/block-cache.ts), fetching through `app.upstream`,
 * feeding the cache metrics, and dropping the blocks and coin lists a reorg replaced: those above the
 * fork point the upstream computed for each change of the best peak (PeakChange.forkPoint, which the
 * live events use too, so browsers are told of exactly the heights the cache dropped). With
 * config.redis.url, buried blocks and coin lists are shared with other replicas through Redis.
 * Also decorates it with the header index (src/chain/header-index.ts), fed with every peak and every
 * block the cache fetches.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { BlockCache, type EntryKind, type FetchBlocks } from '../chain/block-cache.js';
import { HeaderIndex } from '../chain/header-index.js';
import type { BlockSource, PeakChange } from '../chia/index.js';
import { RedisLevel } from '../chain/shared-level.js';
import { ROLE_OF } from '../chain/chain-lookup.js';
import { isImmutable } from '../http/http-cache.js';

/**
 * Batches a walk keeps loading ahead of itself per ready link. Two, so that each link has the next
 * batch queued when its pacing window frees up, while the walk waits for the oldest one: with one,
 * links that answered early sat idle behind the one at its limit, and a walk over 4 peers reached
 * about 0.6 of 4 × the speed over one (bench/replicas).
 */
const READ_AHEAD_PER_LINK = 2;

declare module 'fastify' {
  interface FastifyInstance {
    blockCache: BlockCache;
    /** Header hash → height of every peak and block seen, for the node-RPC methods that take a header hash. */
    headerIndex: HeaderIndex;
  }
}

/** The cache's fetch through `upstream`: full blocks over full_node links, header blocks over wallet links. */
export function fetchThrough(upstream: BlockSource): FetchBlocks {
  return (kind, start, end, onBehalfOf) =>
    kind === 'full' ? upstream.getBlocks(start, end, { onBehalfOf }) : upstream.getHeaderBlocks(start, end, { onBehalfOf });
}

async function blockCachePlugin(app: FastifyInstance): Promise<void> {
  const { upstream, metrics } = app;
  // Bound children: no label hashing on the hot path.
  const bind = (kind: EntryKind) => ({
    hit: metrics.cacheRequests.bind({ kind, result: 'hit' }),
    miss: metrics.cacheRequests.bind({ kind, result: 'miss' }),
  });
  const lookups: Record<EntryKind, ReturnType<typeof bind>> = {
    full: bind('full'),
    header: bind('header'),
    additions: bind('additions'),
    removals: bind('removals'),
  };
  const { url, timeoutMs, lockMs } = app.config.redis;
  const shared =
    url === null
      ? undefined
      : new RedisLevel({
          url,
          network: app.config.network,
          timeoutMs,
          lockMs,
          logger: app.log,
          onState: (state) => metrics.sharedCacheUp.set(state === 'up' ? 1 : 0),
          onCount: (result) => metrics.sharedCacheRequests.inc({ result }),
        });
  if (shared !== undefined) metrics.sharedCacheUp.set(0);
  const headerIndex = new HeaderIndex(app.config.headerIndexSize);
  const cache = new BlockCache({
    maxBytes: app.config.cacheBytes,
    shared,
    readAheadBatches: (kind) => READ_AHEAD_PER_LINK * upstream.status().links.filter((link) => link.role === ROLE_OF[kind] && link.state === 'ready').length,
    isBuried: (height) => {
      const peak = upstream.peak();
      return peak !== null && isImmutable(height, peak.height, app.config.confirmations);
    },
    fetch: fetchThrough(upstream),
    onLookup: (result, kind) => lookups[kind][result].inc(),
    onBytes: (bytes) => metrics.cacheBytes.set(bytes),
    onBlock: (height, headerHash) => headerIndex.add(height, headerHash),
  });
  const onPeak = ({ peak, forkPoint }: PeakChange): void => {
    headerIndex.add(peak.height, peak.header_hash);
    if (forkPoint === null) return;
    const dropped = cache.invalidateAbove(forkPoint);
    app.log.info({ forkPoint, height: peak.height, dropped }, 'reorg: dropped cached blocks and coin lists above the fork point');
  };
  const first = upstream.peak();
  if (first !== null) headerIndex.add(first.height, first.header_hash);
  upstream.on('peak', onPeak);
  app.decorate('blockCache', cache);
  app.decorate('headerIndex', headerIndex);
  app.addHook('onClose', async () => {
    upstream.off('peak', onPeak);
    cache.clear();
    await shared?.close();
  });
}

export default fp(blockCachePlugin, { name: 'block-cache', fastify: '5.x', dependencies: ['upstream'] });
