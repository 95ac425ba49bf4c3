/**
 * The node's v1 and v2 rate-limit tables as data (PROTOCOL.md §h.1; chia-blockchain:
 * chia/server/rate_limit_numbers.py). v2 is v1 with the v2 overrides; it applies only when both sides
 * advertise RATE_LIMITS_V2 (capability 3, §c.4), otherwise the node enforces v1, which is stricter for
 * several wallet messages. The node enforces its table inbound at 100 % in fixed 60 s buckets; a
 * breach closes the link (1000, empty reason) and bans our IP for 300 s. The bucket length, the
 * aggregate limit and the ban are in limits.ts.
 */

export interface RateLimit {
  /** Also counts towards the per-connection aggregate limit. */
  aggregate: boolean;
  /** Messages per window; null = unlimited (responses: only max_size applies). */
  frequency: number | null;
  /** Largest `data` of one message, in bytes (never scaled). */
  maxSize: number;
  /** Sum of `data` lengths per window (frequency × max_size when the source gives none). */
  maxTotal: number | null;
}

const KiB = 1024;
const MiB = 1024 * 1024;

type Row = readonly [aggregate: boolean, frequency: number | null, maxSize: number, maxTotal?: number];

// The v2 table: name → [aggregate, count / 60 s, max_size, max_total]; a missing max_total is
// frequency × max_size.
const ROWS = {
  handshake: [true, 5, 10 * KiB, 50 * KiB],
  configure_window_sizes: [true, 5, 1 * KiB, 1 * KiB],
  error: [false, 50_000, 100, 5_000_000],
  none_response: [false, 500, 100, 50_000],
  new_peak: [true, 200, 512, 100 * KiB],
  new_peak_wallet: [true, 200, 300, 60_000],
  request_block: [true, 200, 100, 20_000],
  respond_block: [false, null, 2 * MiB],
  reject_block: [false, null, 100],
  request_blocks: [true, 500, 100, 50_000],
  respond_blocks: [false, null, 50 * MiB],
  reject_blocks: [false, null, 100],
  request_block_header: [false, 500, 100, 50_000],
  respond_block_header: [false, 500, 500 * KiB, 250_000 * KiB],
  reject_header_request: [false, 500, 100, 50_000],
  request_block_headers: [false, 5_000, 100, 500_000],
  respond_block_headers: [false, 5_000, 2 * MiB, 10_000 * MiB],
  reject_block_headers: [false, 1_000, 100, 100_000],
  request_header_blocks: [true, 5_000, 100, 500_000],
  respond_header_blocks: [false, 5_000, 2 * MiB, 10_000 * MiB],
  reject_header_blocks: [false, 1_000, 100, 100_000],
  request_proof_of_weight: [true, 5, 100, 500],
  respond_proof_of_weight: [true, 5, 50 * MiB, 100 * MiB],
  request_additions: [false, 50_000, 100 * MiB, 5_000_000 * MiB],
  respond_additions: [false, 50_000, 100 * MiB, 5_000_000 * MiB],
  reject_additions_request: [false, 500, 100, 50_000],
  request_removals: [false, 5_000, 50 * KiB, 10 * MiB],
  respond_removals: [false, 5_000, 1 * MiB, 10 * MiB],
  reject_removals_request: [false, 500, 100, 50_000],
  request_puzzle_solution: [false, 5_000, 100, 500_000],
  respond_puzzle_solution: [false, 5_000, 1 * MiB, 5_000 * MiB],
  reject_puzzle_solution: [false, 5_000, 100, 500_000],
  request_children: [false, 2_000, 1 * MiB, 2_000 * MiB],
  respond_children: [false, 2_000, 1 * MiB, 2_000 * MiB],
  request_ses_hashes: [false, 2_000, 1 * MiB, 2_000 * MiB],
  respond_ses_hashes: [false, 2_000, 1 * MiB, 2_000 * MiB],
  request_coin_state: [true, 1_000, 100 * MiB, 100_000 * MiB],
  respond_coin_state: [true, 1_000, 100 * MiB, 100_000 * MiB],
  reject_coin_state: [true, 200, 100, 20_000],
  request_puzzle_state: [true, 1_000, 100 * MiB, 100_000 * MiB],
  respond_puzzle_state: [true, 1_000, 100 * MiB, 100_000 * MiB],
  reject_puzzle_state: [true, 200, 100, 20_000],
  register_for_ph_updates: [true, 1_000, 100 * MiB, 100_000 * MiB],
  respond_to_ph_updates: [true, 1_000, 100 * MiB, 100_000 * MiB],
  register_for_coin_updates: [true, 1_000, 100 * MiB, 100_000 * MiB],
  respond_to_coin_updates: [true, 1_000, 100 * MiB, 100_000 * MiB],
  request_remove_puzzle_subscriptions: [true, 1_000, 100 * MiB, 100_000 * MiB],
  respond_remove_puzzle_subscriptions: [true, 1_000, 100 * MiB, 100_000 * MiB],
  request_remove_coin_subscriptions: [true, 1_000, 100 * MiB, 100_000 * MiB],
  respond_remove_coin_subscriptions: [true, 1_000, 100 * MiB, 100_000 * MiB],
  coin_state_update: [true, 1_000, 100 * MiB, 100_000 * MiB],
  mempool_items_added: [true, 1_000, 100 * MiB, 100_000 * MiB],
  mempool_items_removed: [true, 1_000, 100 * MiB, 100_000 * MiB],
  request_fee_estimates: [true, 10, 100, 1_000],
  respond_fee_estimates: [true, 10, 100, 1_000],
  request_cost_info: [true, 1_000, 100, 100_000],
  respond_cost_info: [true, 1_000, 1 * KiB, 1_000 * KiB],
  send_transaction: [false, 5_000, 1 * MiB, 5_000 * MiB],
  transaction_ack: [false, 5_000, 2 * KiB, 10_000 * KiB],
  request_peers: [true, 10, 100, 1_000],
  respond_peers: [true, 10, 1 * MiB, 10 * MiB],
  request_peers_introducer: [true, 100, 100, 10_000],
  respond_peers_introducer: [true, 100, 1 * MiB, 100 * MiB],
  request_mempool_transactions: [true, 5, 1 * MiB, 5 * MiB],
  new_transaction: [false, 5_000, 100, 500_000],
  request_transaction: [false, 5_000, 100, 500_000],
  respond_transaction: [false, 5_000, 1 * MiB, 20 * MiB],
  new_unfinished_block: [true, 200, 100, 20_000],
  new_unfinished_block2: [true, 200, 100, 20_000],
  request_unfinished_block: [true, 200, 100, 20_000],
  request_unfinished_block2: [true, 200, 100, 20_000],
  respond_unfinished_block: [true, 200, 2 * MiB, 20 * MiB],
  new_signage_point_or_end_of_sub_slot: [true, 200, 200, 40_000],
  request_signage_point_or_end_of_sub_slot: [true, 200, 200, 40_000],
  respond_signage_point: [true, 200, 50 * KiB, 10_000 * KiB],
  respond_end_of_sub_slot: [true, 100, 50 * KiB, 5_000 * KiB],
  new_compact_vdf: [true, 100, 1 * KiB, 100 * KiB],
  request_compact_vdf: [true, 200, 1 * KiB, 200 * KiB],
  respond_compact_vdf: [true, 200, 100 * KiB, 20_000 * KiB],
} as const satisfies Record<string, Row>;

export type RateLimitedMessage = keyof typeof ROWS;
/** One full table: a limit for every message type. */
export type RateLimitTable = Readonly<Record<RateLimitedMessage, RateLimit>>;

/**
 * The v1 values where they differ from v2: the last column of the §h.1 table. In v1 these wallet
 * messages count towards the aggregate limit, and several allow fewer messages or bytes.
 */
const V1_ROWS = {
  request_block_header: [true, 500, 100],
  respond_block_header: [true, 500, 500 * KiB],
  reject_header_request: [true, 500, 100],
  request_header_blocks: [true, 500, 100],
  respond_header_blocks: [true, 500, 2 * MiB, 100 * MiB],
  reject_header_blocks: [true, 100, 100],
  request_additions: [true, 500, 1 * MiB, 10 * MiB],
  respond_additions: [true, 500, 1 * MiB, 10 * MiB],
  reject_additions_request: [true, 500, 100],
  request_removals: [true, 500, 50 * KiB, 10 * MiB],
  respond_removals: [true, 500, 1 * MiB, 10 * MiB],
  reject_removals_request: [true, 500, 100],
  request_puzzle_solution: [true, 1_000, 100],
  respond_puzzle_solution: [true, 1_000, 1 * MiB],
  reject_puzzle_solution: [true, 1_000, 100],
  request_children: [true, 2_000, 1 * MiB],
  respond_children: [true, 2_000, 1 * MiB],
  request_ses_hashes: [true, 2_000, 1 * MiB],
  respond_ses_hashes: [true, 2_000, 1 * MiB],
} as const satisfies Partial<Record<RateLimitedMessage, Row>>;

function tableOf(rows: Record<RateLimitedMessage, Row>): RateLimitTable {
  return Object.fromEntries(
    Object.entries(rows).map(([name, row]: [string, Row]) => {
      const [aggregate, frequency, maxSize, maxTotal] = row;
      const total = maxTotal ?? (frequency === null ? null : frequency * maxSize);
      return [name, { aggregate, frequency, maxSize, maxTotal: total }];
    }),
  ) as Record<RateLimitedMessage, RateLimit>;
}

/** The v2 limits, by message name (both sides advertise RATE_LIMITS_V2). */
export const RATE_LIMITS_V2: RateLimitTable = tableOf(ROWS);
/** The v1 limits, by message name (either side lacks RATE_LIMITS_V2, §h.1). */
export const RATE_LIMITS_V1: RateLimitTable = tableOf({ ...ROWS, ...V1_ROWS });

/** The table the node enforces: v2 when both sides advertise RATE_LIMITS_V2, else v1 (§h.1). */
export function limitsFor(v2: boolean): RateLimitTable {
  return v2 ? RATE_LIMITS_V2 : RATE_LIMITS_V1;
}

/** The limit of a message in `table` (v2 by default), or undefined for a name outside the table. */
export function rateLimitOf(name: string, table: RateLimitTable = RATE_LIMITS_V2): RateLimit | undefined {
  return Object.hasOwn(table, name) ? table[name as RateLimitedMessage] : undefined;
}
