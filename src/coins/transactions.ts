/**
 * POST /v1/transactions: a spend bundle, as the node RPC's push_tx takes it (`{"spend_bundle": …}`) or as
 * its streamable bytes, sent over several wallet links at once (send_transaction, PROTOCOL.md §e.4), and
 * every peer's transaction_ack. Accepted (200) when any peer answered SUCCESS or PENDING. When every
 * peer FAILED it: 503 with Retry-After when each only could not take it now (syncing, full mempool or
 * queue), else 400 with the nodes' errors (one node judging the bundle invalid settles it). Sending the
 * same bundle again is harmless: a node answers SUCCESS for a bundle already in its mempool, and
 * identical concurrent sends share one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CodecError, isNotNowRefusal, sha256, toHex, types, type SpendBundle, type TransactionAckFrom, type TransactionSent } from '../chia/index.js';
import { clientOf, requirePeak } from '../chain/chain-lookup.js';
import { SingleFlight } from '../chain/single-flight.js';
import { ApiError, fromUpstream, retryAfter } from '../http/errors.js';

/** Largest spend bundle body: a transaction may use half a block's cost, some 460 KB of bytes, twice that as JSON hex. */
export const MAX_TRANSACTION_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Retry-After of TRANSACTION_NOT_TAKEN_NOW: about half the mean time between transaction blocks (some
 * 52 s), each of which makes room in a full mempool; a syncing node may take longer, and is asked again.
 */
const NOT_NOW_RETRY_AFTER_MS = 30_000;

const inFlight = new WeakMap<FastifyInstance, SingleFlight<TransactionSent>>();

/** The spend bundle of a request body: streamable bytes, or `{"spend_bundle": …}` in the node's JSON. */
export function bundleOf(body: unknown): SpendBundle {
  try {
    if (Buffer.isBuffer(body)) return types.SpendBundle.decode(body);
    return types.SpendBundle.fromJson((body as { spend_bundle: unknown }).spend_bundle);
  } catch (error) {
    if (error instanceof CodecError) throw new ApiError('TRANSACTION_INVALID', { reason: error.message }, { cause: error });
    throw error;
  }
}

/** What the peers made of a bundle: SUCCESS when any accepted it, PENDING when any holds it, else FAILED. */
export interface PushOutcome {
  txid: string;
  status: 'SUCCESS' | 'PENDING' | 'FAILED';
  acks: TransactionAckFrom[];
}

/** Sends `bundle` over several wallet links at once (identical concurrent sends share one) and sums up the acks. */
export async function sendBundle(app: FastifyInstance, bundle: SpendBundle, request: FastifyRequest): Promise<PushOutcome> {
  requirePeak(app, 'wallet');
  const txid = toHex(sha256(types.SpendBundle.encode(bundle)));
  const flights = inFlight.get(app) ?? new SingleFlight<TransactionSent>();
  inFlight.set(app, flights);
  let sent: TransactionSent;
  try {
    sent = await flights.run(
      txid,
      (onBehalfOf) => app.upstream.sendTransaction(bundle, { onBehalfOf, peers: app.config.linksPerRole }),
      clientOf(request),
    );
  } catch (error) {
    throw fromUpstream(error, { role: 'wallet' });
  }
  const statuses = new Set(sent.acks.map((ack) => ack.status));
  const status = statuses.has('SUCCESS') ? 'SUCCESS' : statuses.has('PENDING') ? 'PENDING' : 'FAILED';
  return { txid: sent.txid, status, acks: sent.acks };
}

/** Sends the bundle and answers `{"txid":…,"status":…,"acks":[…]}`, or TRANSACTION_REJECTED / _NOT_TAKEN_NOW. */
export async function pushTransaction(app: FastifyInstance, body: unknown, request: FastifyRequest): Promise<string> {
  const outcome = await sendBundle(app, bundleOf(body), request);
  if (outcome.status === 'FAILED') {
    const errors = outcome.acks.map((ack) => `${ack.peer} ${ack.error ?? 'FAILED'}`).join(', ') || 'no peer answered';
    const notNow = outcome.acks.length > 0 && outcome.acks.every((ack) => isNotNowRefusal(ack.error));
    if (notNow) throw new ApiError('TRANSACTION_NOT_TAKEN_NOW', { txid: outcome.txid, errors }, { headers: retryAfter(NOT_NOW_RETRY_AFTER_MS) });
    throw new ApiError('TRANSACTION_REJECTED', { txid: outcome.txid, errors });
  }
  return JSON.stringify(outcome);
}
