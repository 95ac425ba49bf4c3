/**
 * The one JSON rendering of a peak, shared by GET /v1/peak, GET /v1/status, GET /readyz and the live
 * events: the Peak schema's fields in its order, the u128 weight as a decimal string (it exceeds
 * 2^53), or as an exact JSON number in the node-RPC rendering (`ints=number`, /v1/peak only).
 */
import { stringifyJson, type JsonMode, type Peak } from '../chia/index.js';
import type { PeakBody } from '../../schemas/peak.js';

/** The block a peak names, as readiness and reorg events refer to it. */
export interface PeakRef {
  height: number;
  header_hash: string;
}

/** A peak as JSON, weight as a decimal string. */
export function peakJson(peak: Peak): PeakBody & { weight: string } {
  return {
    height: peak.height,
    header_hash: peak.header_hash,
    weight: peak.weight.toString(),
    fork_point_with_previous_peak: peak.fork_point_with_previous_peak,
    peers: peak.peers,
    received_at: peak.received_at,
  };
}

/** A peak as JSON text in `mode`: `chia` writes the weight as an exact number. */
export function peakText(peak: Peak, mode: JsonMode): string {
  const json = peakJson(peak);
  return mode === 'chia' ? stringifyJson({ ...json, weight: peak.weight }) : JSON.stringify(json);
}

/** The height and header hash of a peak. */
export function peakRef(peak: PeakRef): PeakRef {
  return { height: peak.height, header_hash: peak.header_hash };
}
