/**
 * GET /v1/fees?target_times=60,300: fee-rate estimates for transactions to be included within the given
 * numbers of seconds, from request_fee_estimates, whose targets are unix times (PROTOCOL.md §e.4): the
 * gateway adds the current time. A node delivers at most MAX_FEE_ESTIMATE_TARGETS estimates per answer (§e.5).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_FEE_ESTIMATE_TARGETS, OnBehalfOf, types, type FeeEstimateGroup, type JsonMode, type Peak } from '../chia/index.js';
import { transactionFacts, type TransactionFacts } from './coin-records.js';
import { clientOf, requirePeak } from '../chain/chain-lookup.js';
import { ApiError, fromUpstream } from '../http/errors.js';
import { quote } from '../live/quote.js';

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

/** Fee-rate estimates for `targets` seconds from `now` (request_fee_estimates takes unix times). */
export async function readFeeEstimates(app: FastifyInstance, targets: number[], request: FastifyRequest): Promise<{ now: number; group: FeeEstimateGroup }> {
  requirePeak(app, 'wallet');
  const now = Math.floor(Date.now() / MS_PER_SECOND);
  try {
    const group = await app.upstream.getFeeEstimates(targets.map((t) => now + t), { onBehalfOf: new OnBehalfOf(clientOf(request)) });
    return { now, group };
  } catch (error) {
    throw fromUpstream(error, { role: 'wallet' });
  }
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
