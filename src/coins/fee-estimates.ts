/**
 * GET /v1/fees?target_times=60,300: fee-rate estimates for transactions to be included within the given
 * numbers of seconds, from request_fee_estimates, whose targets are unix times (PROTOCOL.md §e.4): the
 * gateway adds the current time. A node delivers at most MAX_FEE_ESTIMATE_TARGETS estimates per answer (§e.5).
 *
 * A node takes only 10 request_fee_estimates a minute from a peer (the gateway uses 60 % of it), so one
 * answer serves every request for the same targets for FEE_ESTIMATES_TTL_MS (concurrent ones share the
 * read); its `current_time` says when it was read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_FEE_ESTIMATE_TARGETS, types, type FeeEstimateGroup, type JsonMode, type Peak } from '../chia/index.js';
import { transactionFacts, type TransactionFacts } from './coin-records.js';
import { clientOf, requirePeak } from '../chain/chain-lookup.js';
import { SingleFlight } from '../chain/single-flight.js';
import { ApiError, fromUpstream } from '../http/errors.js';
import { quote } from '../live/quote.js';

/** How long one node answer serves the same targets (the node's limit allows one read per 10 s per link). */
export const FEE_ESTIMATES_TTL_MS = 10_000;
/** Distinct target lists remembered at once (oldest read first out). */
const FEE_ESTIMATES_KEPT = 64;

/** Longest target: a year; estimates beyond are meaningless and the node's horizon is far shorter. */
export const MAX_FEE_TARGET_SECONDS = 365 * 24 * 3600;
const MS_PER_SECOND = 1_000;
const TARGET = /^[1-9]\d{0,8}$/;

/** The relative targets of `target_times` (comma-separated whole seconds, 1 to a year). */
export function parseTargets(text: string): number[] {
  const parts = text.split(',');
  const targets = parts.map((part) => {
    const value = Number(part);
    if (!TARGET.test(part) || value > MAX_FEE_TARGET_SECONDS) {
      throw new ApiError('INVALID_PARAMETER', {
        detail: `target_times must be comma-separated whole seconds from 1 to ${MAX_FEE_TARGET_SECONDS}, got ${quote(text)}`,
      });
    }
    return value;
  });
  if (targets.length > MAX_FEE_ESTIMATE_TARGETS) throw new ApiError('FEE_TOO_MANY_TARGETS', { count: targets.length });
  return targets;
}

type FeeEstimates = { now: number; group: FeeEstimateGroup };

/** Per app: reads in flight (SingleFlight: concurrent requests share one, on behalf of all their clients) and recent ones by target list. */
const feeReads = new WeakMap<FastifyInstance, { flights: SingleFlight<FeeEstimates>; kept: Map<string, { readAt: number; estimates: FeeEstimates }> }>();

/**
 * Fee-rate estimates for `targets` seconds from `now` (request_fee_estimates takes unix times): a read
 * of the same targets less than FEE_ESTIMATES_TTL_MS old (or still in flight) answers; a failed read is
 * not kept.
 */
export async function readFeeEstimates(app: FastifyInstance, targets: number[], request: FastifyRequest): Promise<FeeEstimates> {
  requirePeak(app, 'wallet');
  const reads = feeReads.get(app) ?? { flights: new SingleFlight<FeeEstimates>(), kept: new Map() };
  feeReads.set(app, reads);
  const key = targets.join(',');
  const kept = reads.kept.get(key);
  if (kept !== undefined && Date.now() - kept.readAt < FEE_ESTIMATES_TTL_MS) return kept.estimates;
  return reads.flights.run(
    key,
    async (onBehalfOf) => {
      const readAt = Date.now();
      const now = Math.floor(readAt / MS_PER_SECOND);
      let group: FeeEstimateGroup;
      try {
        group = await app.upstream.getFeeEstimates(targets.map((t) => now + t), { onBehalfOf });
      } catch (error) {
        throw fromUpstream(error, { role: 'wallet' });
      }
      const estimates = { now, group };
      reads.kept.delete(key);
      reads.kept.set(key, { readAt, estimates });
      if (reads.kept.size > FEE_ESTIMATES_KEPT) reads.kept.delete(reads.kept.keys().next().value as string);
      return estimates;
    },
    clientOf(request),
  );
}

/** The last transaction block at or below `peak`: its height and facts (null on a chain without one yet). */
export async function lastTransactionBlock(app: FastifyInstance, peak: Peak, request: FastifyRequest): Promise<{ height: number; facts: TransactionFacts } | null> {
  const client = clientOf(request);
  for (let height = peak.height; height >= 0; height--) {
    const facts = await transactionFacts(app, height, peak, client);
    if (facts !== null) return { height, facts };
  }
  return null;
}

/** `{"target_times":[…],"current_time":…,"fee_estimates":<FeeEstimateGroup>}`. */
export async function feesText(app: FastifyInstance, text: string, mode: JsonMode, request: FastifyRequest): Promise<string> {
  const targets = parseTargets(text);
  const { now, group } = await readFeeEstimates(app, targets, request);
  return `{"target_times":${JSON.stringify(targets)},"current_time":${now},"fee_estimates":${types.FeeEstimateGroup.toJsonText(group, mode)}}`;
}
