/** Every shared component schema, registered once with addSchema (src/plugins/openapi.ts). */
import type { TSchema } from '@sinclair/typebox';
import { BLOCK_SCHEMAS } from './block.js';
import { AdditionsResponse, CoinWithId, RemovalsResponse } from './coins.js';
import { BigUint, Problem } from './common.js';
import { COIN_SCHEMAS } from './coin-records.js';
import { LIVE_SCHEMAS } from './live.js';
import { PeakResponse } from './peak.js';
import { CacheStats, LinkRetry, LinkStatus, StatusResponse } from './status.js';

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
];
