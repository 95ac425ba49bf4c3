/**
 * Every limit and timing constant of the Chia peer protocol that the gateway or the fake node uses,
 * once, with its PROTOCOL.md section. The values are the reference node's (chia-blockchain); choices
 * of the gateway's own that follow from them (the request-id half it uses, the keep-alive cadence,
 * the pacing share, the cache batch) stay beside the code that makes them and derive from these.
 * This module imports nothing, so any part of the core (the codec included) may use it.
 */

// §a Transport

/** Largest WebSocket message, the whole serialized Message, in both directions (§a.1 max_message_size). */
export const MAX_MESSAGE_BYTES = 50 * 1024 * 1024;
/** The whole handshake, the v3 exchange included, must finish within peer_connect_timeout (§a.5, §c.6). */
export const HANDSHAKE_TIMEOUT_MS = 30_000;
/** A FULL_NODE peer that sent no binary message for longer is closed (§a.5); WALLET peers never are. */
export const FULL_NODE_IDLE_TIMEOUT_MS = 1_800_000;
/** How often the node looks for idle FULL_NODE peers (§a.5 garbage_collect_connections_task). */
export const IDLE_CHECK_INTERVAL_MS = 600_000;
/** Inbound slots for FULL_NODE peers: target_peer_count − target_outbound_peer_count = 40 − 8 (§a.5). */
export const INBOUND_FULL_NODE_SLOTS = 32;
/** Inbound slots for WALLET peers (§a.5 max_inbound_wallet). */
export const INBOUND_WALLET_SLOTS = 20;
/** Inbound slots for FARMER peers (§a.5 max_inbound_farmer). */
export const INBOUND_FARMER_SLOTS = 10;

// §b Framing

/** Largest message id: the id is an Optional[u16] (§b.1); each side uses one half of the range (§b.2). */
export const MAX_MESSAGE_ID = 0xffff;

// §c Handshake

/** Longest software_version, in UTF-8 bytes (§c.1 MAX_VERSION_STRING_BYTES). */
export const MAX_SOFTWARE_VERSION_BYTES = 128;
/** Most entries of a configure_window_sizes message (§c.5 MAX_CONFIGURE_RATE_LIMITS_ENTRIES). */
export const MAX_WINDOW_SIZE_ENTRIES = 256;

// §e Requests

/** Largest height: heights are u32 in every request and reply (§e.3, §e.4). */
export const MAX_HEIGHT = 0xffff_ffff;

/**
 * Longest span end − start of request_blocks and request_header_blocks: MAX_BLOCK_COUNT_PER_REQUESTS,
 * so at most 33 blocks per request (§e.5, §i.2).
 */
export const MAX_BLOCK_SPAN = 32;
/** Longest span end − start of request_block_headers, so at most 129 headers per request (§e.5). */
export const MAX_HEADER_SPAN = 128;
/** Most puzzle hashes of request_additions and coin names of request_removals (§e.5 MAX_COIN_HASHES_PER_REQUEST). */
export const MAX_COIN_HASHES_PER_REQUEST = 50;
/** request_additions without puzzle hashes is rejected above this many distinct puzzle hashes (§e.5 MAX_COINS_MAP_SIZE). */
export const MAX_COINS_MAP_SIZE = 100;
/**
 * Most coin ids of one request_coin_state: the node keeps the first 100,000 distinct ids (its
 * max_subscribe_response_items for an untrusted peer) and silently drops the rest (§e.5, §h.4).
 */
export const MAX_COIN_STATE_IDS = 100_000;
/**
 * Most puzzle hashes of one request_puzzle_state: the node keeps the first
 * CoinStore.MAX_PUZZLE_HASH_BATCH_SIZE = SQLITE_MAX_VARIABLE_NUMBER − 10 distinct hashes and silently
 * drops the rest; that is 890 or 32,690 depending on the node's SQLite build, so the lower (§e.5).
 */
export const MAX_PUZZLE_STATE_HASHES = 890;
/**
 * Most time targets of one request_fee_estimates: the node's respond_fee_estimates (5 + 17·n bytes)
 * must fit its max_size of 100 bytes or it is never delivered (§e.5, §h.1); the request (4 + 8·n
 * bytes) would allow 12.
 */
export const MAX_FEE_ESTIMATE_TARGETS = 5;
/**
 * How long the node waits for a sent transaction to enter its mempool before it acks PENDING
 * (§e.5 send_transaction): an ack can take this long.
 */
export const TRANSACTION_ACK_WAIT_MS = 45_000;

/**
 * Puzzle-hash and coin-id subscriptions together per untrusted peer (§e.5, §h.4): beyond it
 * request_*_state rejects with EXCEEDED_SUBSCRIPTION_LIMIT and register_for_* silently drops the excess.
 */
export const SUBSCRIPTION_LIMIT = 200_000;
/** Most coin states of one respond_puzzle_state / respond_coin_state for an untrusted peer (§e.5, §h.4). */
export const MAX_STATE_RESPONSE_ITEMS = 100_000;


// §h Rate limits

/** Length of the node's fixed rate-limit buckets (§h.1). */
export const RATE_LIMIT_WINDOW_MS = 60_000;
/** Aggregate ("non-tx") limit per connection and bucket, over every aggregate type (§h.1). */
export const AGGREGATE_LIMIT: { readonly frequency: number; readonly maxTotal: number } = {
  frequency: 1_000,
  maxTotal: 100 * 1024 * 1024,
};
/** Share of its limits the node enforces on what it receives (§h.1 inbound_rate_limit_percent = 100). */
export const INBOUND_RATE_LIMIT_SHARE = 1;

// §i Network facts and bans

/** Target time between blocks: SUB_SLOT_TIME_TARGET 600 s / SLOT_BLOCKS_TARGET 32 (§i.2). */
export const TARGET_BLOCK_TIME_MS = 18_750;
/** Blocks per sub-slot the difficulty targets (§i.2 SLOT_BLOCKS_TARGET). */
export const SLOT_BLOCKS_TARGET = 32;
/** Signage points per sub-slot (§i.2 NUM_SPS_SUB_SLOT). */
export const NUM_SPS_SUB_SLOT = 64;
/** Blocks a day at the target block time (§i.2): the node RPC averages its block time over this many. */
export const BLOCKS_PER_DAY = 4_608;
/** Most cost a block's generator may have (§i.2 MAX_BLOCK_COST_CLVM; mainnet and testnet11 alike). */
export const MAX_BLOCK_COST_CLVM = 11_000_000_000;
/**
 * The node's short ban: INVALID_PROTOCOL_, API_EXCEPTION_ and INTERNAL_PROTOCOL_ERROR_BAN_SECONDS are
 * all 10 s (§i.4): a handshake failure, a malformed frame, a node-type violation, a handler exception.
 */
export const SHORT_BAN_MS = 10_000;
/** RATE_LIMITER_BAN_SECONDS: a rate-limit or v3-window breach, an unsolicited block reply, a message over 50 MiB (§i.4). */
export const RATE_LIMITER_BAN_MS = 300_000;
