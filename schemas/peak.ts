/** The current best peak across all upstream links (GET /v1/peak). */
import { Type, type Static } from '@sinclair/typebox';
import { BigUint, Hex32, U32, ref } from './common.js';

export const PeakResponse = Type.Object(
  {
    height: U32,
    header_hash: Hex32,
    weight: ref(BigUint),
    fork_point_with_previous_peak: U32,
    peers: Type.Array(Type.String({ description: 'host:port' }), { description: 'Links that reported this peak' }),
    received_at: Type.Integer({ description: 'Epoch milliseconds when the gateway first saw this peak' }),
  },
  { $id: 'Peak', title: 'Peak', description: 'The best peak across all upstream links' },
);
export type PeakBody = Static<typeof PeakResponse>;
