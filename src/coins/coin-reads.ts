/**
 * The coin reads behind /v1/coins: one coin's record, a query by coin ids, puzzle hashes and hints
 * with the node's filters and cursor pagination, a coin's children and its spend, each read over wallet
 * links (PROTOCOL.md §e.4, §e.5) and answered as JSON text in the requested int rendering.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  MAX_COIN_STATE_IDS,
  MAX_PUZZLE_STATE_HASHES,
  OnBehalfOf,
  UpstreamError,
  coinId,
  toHex,
  types,
  type ChainPoint,
  type ClientKey,
  type CoinState,
  type CoinStateFilters,
  type JsonMode,
  type Peak,
  type SpendBundle,
} from '../chia/index.js';
import { clientOf, lookupBlock, requirePeak } from '../chain/chain-lookup.js';
import { ApiError, MAX_QUERY_KEYS, fromUpstream } from '../http/errors.js';
import { quote } from '../live/quote.js';
import { normalHex32, puzzleHashOf } from './addresses.js';
import { pointText, prefixOf, recordText, recordsOf, type CoinRecord, type ReadPoint } from './coin-records.js';
import { decodeCursor, encodeCursor } from './query-cursor.js';

/**
 * Most node states one query page turns into records: every record needs its block's timestamp, so a
 * page stays a bounded number of header reads. A node page holding more is cut at a height boundary
 * (never inside a height, as the node pages), and the cursor continues from there.
 */
export const MAX_PAGE_STATES = 1_000;

/** What POST /v1/coins/query takes (schemas/coin-records.ts CoinQuery). */
export interface CoinQueryInput {
  coin_ids?: string[];
  puzzle_hashes?: string[];
  hints?: string[];
  include_spent?: boolean;
  include_unspent?: boolean;
  include_hinted?: boolean;
  min_amount?: string | number;
  start_height?: number;
  end_height?: number;
  cursor?: string;
}

const lastChange = (s: CoinState) => Math.max(s.created_height ?? 0, s.spent_height ?? 0);
const idOf = (s: CoinState) => toHex(coinId(s.coin));
/** Upstream options of a call made for `client` (its share of the links' pacing). */
const forClient = (client: ClientKey) => ({ onBehalfOf: new OnBehalfOf(client) });

/** A coin id from the path or a body: hex with or without 0x; INVALID_PARAMETER otherwise. */
export function coinIdParam(value: string, name = 'coin_id'): string {
  const id = normalHex32(value);
  if (id === null) throw new ApiError('INVALID_PARAMETER', { detail: `${name} must be 32 bytes of hex, got ${quote(value)}` });
  return id;
}

/** An upstream call mapped to the catalogue. */
async function wallet<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw fromUpstream(error, { role: 'wallet' });
  }
}

/** The main-chain block at `height` as a chain point (cache, else its header over a wallet link). */
async function pointAt(app: FastifyInstance, height: number, peak: Peak, client: ClientKey): Promise<ChainPoint> {
  const block = app.blockCache.peek('header', height) ?? app.blockCache.peek('full', height) ?? (await lookupBlock(app.blockCache, 'header', height, peak, client));
  return { height, header_hash: block.headerHash };
}

function listText(records: CoinRecord[], mode: JsonMode, prefix: string): string {
  return `[${records.map((r) => recordText(r, mode, prefix)).join(',')}]`;
}

/** The state of one coin and the block it was read at; COIN_NOT_FOUND when the peer knows none. */
export async function readCoinState(app: FastifyInstance, id: string, client: ClientKey): Promise<{ state: CoinState; at: ReadPoint }> {
  const read = await wallet(app.upstream.getCoinStates([id], forClient(client)));
  const state = read.coin_states.find((s) => idOf(s) === id && s.created_height !== null);
  if (state === undefined) throw new ApiError('COIN_NOT_FOUND', { coin_id: id });
  return { state, at: read.at };
}

/** One coin's record and the block it was read at; COIN_NOT_FOUND when the peer knows none. */
export async function readCoinRecord(app: FastifyInstance, id: string, request: FastifyRequest): Promise<{ record: CoinRecord; at: ReadPoint }> {
  const peak = requirePeak(app, 'wallet');
  const client = clientOf(request);
  const { state, at } = await readCoinState(app, id, client);
  const [record] = await recordsOf(app, [state], peak, client);
  return { record: record as CoinRecord, at };
}

/** GET /v1/coins/{coin_id}: `{"coin_record":…,"peak":…}`. */
export async function coinRecordText(app: FastifyInstance, id: string, mode: JsonMode, request: FastifyRequest): Promise<string> {
  const { record, at } = await readCoinRecord(app, id, request);
  return `{"coin_record":${recordText(record, mode, prefixOf(app))},"peak":${pointText(at)}}`;
}

/** The states of the coins each of `parentIds` created when spent (request_children, one per parent). */
export async function readChildStates(app: FastifyInstance, parentIds: string[], client: ClientKey): Promise<CoinState[]> {
  const lists = await Promise.all(parentIds.map((id) => wallet(app.upstream.getChildren(id, forClient(client)))));
  return lists.flat();
}

/** GET /v1/coins/{coin_id}/children: `{"coin_id":…,"children":[…],"peak":…}`. */
export async function childrenText(app: FastifyInstance, id: string, mode: JsonMode, request: FastifyRequest): Promise<string> {
  const peak = requirePeak(app, 'wallet');
  const client = clientOf(request);
  const records = await recordsOf(app, await readChildStates(app, [id], client), peak, client);
  return `{"coin_id":"${id}","children":${listText(records, mode, prefixOf(app))},"peak":${pointText(peak)}}`;
}

/** A spent coin's spend: the coin, its puzzle reveal and solution, the height it was spent at. */
export interface SpendRead {
  spend: SpendBundle['coin_spends'][number];
  height: number;
  at: ReadPoint;
}

/**
 * The puzzle reveal and solution of coin `id` (request_puzzle_solution at its spent height);
 * COIN_NOT_FOUND for a coin the peer does not know, COIN_NOT_SPENT for an unspent one.
 */
export async function readSpend(app: FastifyInstance, id: string, request: FastifyRequest): Promise<SpendRead> {
  requirePeak(app, 'wallet');
  const client = clientOf(request);
  const { state, at } = await readCoinState(app, id, client);
  const height = state.spent_height;
  if (height === null) throw new ApiError('COIN_NOT_SPENT', { coin_id: id });
  let solution;
  try {
    solution = await app.upstream.getPuzzleSolution(id, height, forClient(client));
  } catch (error) {
    // The node refuses unless the coin was spent at exactly that height: a reorg since the state was read.
    if (error instanceof UpstreamError && error.code === 'UPSTREAM_REJECTED') throw new ApiError('COIN_NOT_SPENT', { coin_id: id }, { cause: error });
    throw fromUpstream(error, { role: 'wallet', height });
  }
  return { spend: { coin: state.coin, puzzle_reveal: solution.puzzle, solution: solution.solution }, height, at };
}

/** GET /v1/coins/{coin_id}/spend: the puzzle reveal and solution as the node RPC's get_puzzle_and_solution renders them. */
export async function spendText(app: FastifyInstance, id: string, mode: JsonMode, request: FastifyRequest): Promise<string> {
  const { spend, height, at } = await readSpend(app, id, request);
  return `{"coin_id":"${id}","coin_solution":${types.CoinSpend.toJsonText(spend, mode)},"spent_block_index":${height},"peak":${pointText(at)}}`;
}

/** A checked query: its keys (0x hex), the node's filters, the confirmed-height range [start, end). */
export interface PlannedQuery {
  coinIds: string[];
  puzzleHashes: string[];
  filters: CoinStateFilters;
  start: number;
  end: number | null;
  /**
   * Only coins hinted to the puzzle hashes: a peer's hinted walk also matches them as puzzle hashes,
   * so a coin whose own puzzle hash is a key is left out (the node RPC's get_coin_records_by_hint).
   */
  hintsOnly?: boolean;
  /** Coins these coins created when spent (request_children); only readAllRecords reads them. */
  parentIds?: string[];
}

/** Checks and normalises a query: keys (addresses to puzzle hashes), their count, the filters. */
export function planQuery(input: CoinQueryInput, prefix: string): PlannedQuery {
  const coinIds = [...new Set((input.coin_ids ?? []).map((id, i) => coinIdParam(id, `coin_ids[${i}]`)))];
  const hints = input.hints ?? [];
  const puzzleHashes = [...new Set([...(input.puzzle_hashes ?? []), ...hints].map((value) => puzzleHashOf(value, prefix)))];
  const count = (input.coin_ids?.length ?? 0) + (input.puzzle_hashes?.length ?? 0) + hints.length;
  if (count === 0) throw new ApiError('QUERY_NO_KEYS');
  if (count > MAX_QUERY_KEYS) throw new ApiError('QUERY_TOO_MANY_KEYS', { count });
  if (hints.length > 0 && input.include_hinted === false) {
    throw new ApiError('QUERY_FILTERS_CONFLICT', { detail: 'hints match hinted coins only with include_hinted true (the default when hints are given)' });
  }
  const start = input.start_height ?? 0;
  const end = input.end_height ?? null;
  if (end !== null && start >= end) throw new ApiError('INVALID_RANGE', { start, end });
  const filters: CoinStateFilters = {
    include_spent: input.include_spent ?? true,
    include_unspent: input.include_unspent ?? true,
    include_hinted: input.include_hinted ?? hints.length > 0,
    min_amount: BigInt(input.min_amount ?? 0),
  };
  return { coinIds, puzzleHashes, filters, start, end };
}

/** Whether a state passes the query's filters; the node applies them to puzzle-hash walks, the gateway to coin ids and heights. */
function keeps(plan: PlannedQuery, state: CoinState): boolean {
  const created = state.created_height;
  if (created === null || created < plan.start || (plan.end !== null && created >= plan.end)) return false;
  if (plan.hintsOnly === true && plan.puzzleHashes.includes(toHex(state.coin.puzzle_hash))) return false;
  const spent = state.spent_height !== null;
  if ((spent && !plan.filters.include_spent) || (!spent && !plan.filters.include_unspent)) return false;
  return state.coin.amount >= plan.filters.min_amount;
}

/**
 * POST /v1/coins/query: `{"coin_records":[…],"next_cursor":…,"peak":…}`. Coin ids are read on the first
 * page; puzzle hashes and hints walk the node's pages (request_puzzle_state), one per call, from the
 * cursor (or from start_height), until the node says is_finished.
 */
export async function queryText(app: FastifyInstance, input: CoinQueryInput, mode: JsonMode, request: FastifyRequest): Promise<string> {
  const prefix = prefixOf(app);
  const plan = planQuery(input, prefix);
  const from = input.cursor === undefined ? null : decodeCursor(input.cursor);
  const peak = requirePeak(app, 'wallet');
  const client = clientOf(request);
  const states: CoinState[] = [];
  let at: ReadPoint = { height: peak.height, header_hash: peak.header_hash };
  let next: ChainPoint | null = null;
  if (from === null && plan.coinIds.length > 0) {
    const read = await wallet(app.upstream.getCoinStates(plan.coinIds, forClient(client)));
    states.push(...read.coin_states);
    at = read.at;
  }
  if (plan.puzzleHashes.length > 0) {
    const page = await walkPage(app, plan, from, peak, client);
    states.push(...page.states);
    next = page.next;
    if (page.at !== null) at = page.at;
  }
  const seen = new Set<string>();
  const kept = states.filter((state) => {
    const id = idOf(state);
    if (seen.has(id) || !keeps(plan, state)) return false;
    seen.add(id);
    return true;
  });
  const records = await recordsOf(app, kept, peak, client);
  const cursor = next === null ? 'null' : `"${encodeCursor(next)}"`;
  return `{"coin_records":${listText(records, mode, prefix)},"next_cursor":${cursor},"peak":${pointText(at)}}`;
}

const chunksOf = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Every record matching `plan`, as the node RPC answers in one go: coin ids read MAX_COIN_STATE_IDS at
 * a time, parents' children one request_children each, puzzle hashes walked MAX_PUZZLE_STATE_HASHES at a time through every page of the node's
 * continuation (the same pages POST /v1/coins/query serves one by one), filtered and deduplicated;
 * null as soon as more than `limit` match, so a caller never answers a silently cut list.
 */
export async function readAllRecords(app: FastifyInstance, plan: PlannedQuery, limit: number, request: FastifyRequest): Promise<CoinRecord[] | null> {
  const peak = requirePeak(app, 'wallet');
  const client = clientOf(request);
  const kept = new Map<string, CoinState>();
  const fits = (states: CoinState[]) => {
    for (const state of states) if (keeps(plan, state)) kept.set(idOf(state), state);
    return kept.size <= limit;
  };
  if (plan.end !== null && plan.start >= plan.end) return [];
  for (const ids of chunksOf(plan.coinIds, MAX_COIN_STATE_IDS)) {
    if (!fits((await wallet(app.upstream.getCoinStates(ids, forClient(client)))).coin_states)) return null;
  }
  if (plan.parentIds !== undefined && !fits(await readChildStates(app, plan.parentIds, client))) return null;
  for (const puzzleHashes of chunksOf(plan.puzzleHashes, MAX_PUZZLE_STATE_HASHES)) {
    const part = { ...plan, puzzleHashes };
    let from: ChainPoint | null = null;
    do {
      const page = await walkPage(app, part, from, peak, client);
      if (!fits(page.states)) return null;
      from = page.next;
    } while (from !== null);
  }
  return recordsOf(app, [...kept.values()], peak, client);
}

/** One page of the puzzle-hash walk: its states, where the next starts (null when done), and the node's peak when finished. */
async function walkPage(
  app: FastifyInstance,
  plan: PlannedQuery,
  cursor: ChainPoint | null,
  peak: Peak,
  client: ClientKey,
): Promise<{ states: CoinState[]; next: ChainPoint | null; at: ReadPoint | null }> {
  // Coins confirmed before start_height changed last before it too, unless spent later: start just below it.
  const from = cursor ?? (plan.start > 0 ? await pointAt(app, plan.start - 1, peak, client) : null);
  let page;
  try {
    page = await app.upstream.getPuzzleStatePage(plan.puzzleHashes, plan.filters, from, forClient(client));
  } catch (error) {
    if (error instanceof UpstreamError && error.code === 'STATE_REORG' && from !== null) {
      throw new ApiError('CURSOR_REORGED', { height: from.height, header_hash: from.header_hash }, { cause: error });
    }
    throw fromUpstream(error, { role: 'wallet' });
  }
  let states = page.coin_states;
  let next: ChainPoint | null = page.is_finished ? null : page.next;
  if (states.length > MAX_PAGE_STATES) {
    const cut = lastChange(states[MAX_PAGE_STATES] as CoinState);
    const below = states.filter((s) => lastChange(s) < cut);
    // A single height with more states than a page is served whole, as the node serves it.
    const end = below.length > 0 ? cut - 1 : cut;
    states = states.filter((s) => lastChange(s) <= end);
    if (next === null || end < next.height) next = await pointAt(app, end, peak, client);
  }
  // Without spent coins, a state's last change is its creation: nothing past end_height can match.
  if (next !== null && plan.end !== null && !plan.filters.include_spent && next.height >= plan.end - 1) next = null;
  return { states, next, at: page.is_finished ? page.next : null };
}
