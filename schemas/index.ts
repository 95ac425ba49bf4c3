/** Every shared component schema, registered once with addSchema (src/plugins/openapi.ts). */
import type { TSchema } from '@sinclair/typebox';
import { BLOCK_SCHEMAS } from './block.js';
import { AdditionsResponse, CoinWithId, RemovalsResponse } from './coins.js';
import { BigUint, Problem } from './common.js';
import { COIN_SCHEMAS } from './coin-records.js';
import { LIVE_SCHEMAS } from './live.js';
import * as NodeRpc from './node-rpc.js';
import { PeakResponse } from './peak.js';
import { CacheStats, LinkRetry, LinkStatus, StatusResponse } from './status.js';

/**
 * Every named schema of the node-RPC face (answers, failure, records), however many methods add theirs;
 * sorted by $id, since the order of a module's exports differs between loaders.
 */
const NODE_RPC_SCHEMAS = (Object.values(NodeRpc) as unknown[])
  .filter((value): value is TSchema => typeof value === 'object' && value !== null && '$id' in value)
  .sort((a, b) => String(a.$id).localeCompare(String(b.$id)));

export const SHARED_SCHEMAS: TSchema[] = [
  Problem,
  BigUint,
  ...BLOCK_SCHEMAS,
  CoinWithId,
  AdditionsResponse,
  RemovalsResponse,
  ...COIN_SCHEMAS,
  PeakResponse,
  LinkRetry,
  LinkStatus,
  CacheStats,
  StatusResponse,
  ...LIVE_SCHEMAS,
  ...NODE_RPC_SCHEMAS,
];
