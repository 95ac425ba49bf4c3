/**
 * Full-node gossip the node sends FULL_NODE peers besides new_peak (PROTOCOL.md §c.7): a signage
 * point, the unfinished block and a mempool transaction around each peak. None expects a reply; a
 * FULL_NODE client must take them in its stride. Synthetic values derived from the peak.
 */
import { createHash } from 'node:crypto';
import { encodeMessage } from '../src/chia/codec/index.js';
import { NUM_SPS_SUB_SLOT } from '../src/chia/protocol/limits.js';
import type { PeakInfo } from './chain.js';

const TX_COST = 5_000_000n;
const TX_FEE = 10_000n;

function derived(peak: PeakInfo, what: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(peak.header_hash).update(what).digest());
}

/** Frames sent before the new_peak of `peak`. */
export function gossipBeforePeak(peak: PeakInfo): Uint8Array[] {
  return [
    encodeMessage(
      'new_signage_point_or_end_of_sub_slot',
      {
        prev_challenge_hash: null,
        challenge_hash: derived(peak, 'challenge'),
        index_from_challenge: peak.height % NUM_SPS_SUB_SLOT,
        last_rc_infusion: derived(peak, 'rc infusion'),
      },
      null,
    ),
    encodeMessage('new_unfinished_block2', { unfinished_reward_hash: peak.unfinished_reward_block_hash, foliage_hash: null }, null),
  ];
}

/** Frames sent after the new_peak of `peak`. */
export function gossipAfterPeak(peak: PeakInfo): Uint8Array[] {
  return [encodeMessage('new_transaction', { transaction_id: derived(peak, 'transaction'), cost: TX_COST, fees: TX_FEE }, null)];
}
