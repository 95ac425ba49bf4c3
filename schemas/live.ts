/**
 * Every message of the live stream (`GET /v1/ws` and `GET /v1/events`), both directions, written
 * once: the hub validates client messages against these, tests check server messages against them,
 * and the route descriptions in openapi.yaml are generated from the same definitions. The protocol
 * is described in the README ("Live peaks").
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ref } from './common.js';
import { MAX_PUZZLE_STATE_HASHES } from '../src/chia/index.js';

/** Topics a client may subscribe to: peaks (every connection from the start) and the coins of its keys. */
export const LIVE_TOPICS = ['peaks', 'coins'] as const;

const Height = Type.Integer({ minimum: 0, maximum: 4_294_967_295, description: 'Block height (u32)' });
/**
 * An event id names a place on the chain, not in one process: `<height>:<header hash, 64 hex>:<kind>`,
 * the block the event belongs to and what happened there (`reorg` before `peak`; kinds added later,
 * such as coin events, sort after them and may add `:<n>`). Every replica gives the same event the
 * same id, so a cursor resumes on any of them.
 */
export const EVENT_ID_PATTERN = '^(0|[1-9][0-9]{0,9}):[0-9a-f]{64}:[a-z]+(:(0|[1-9][0-9]{0,9}))?$';
/** Ids of earlier versions: decimal counters of one process (answered with a gap). */
export const LEGACY_EVENT_ID_PATTERN = '^[0-9]{1,16}$';
const EventId = Type.String({
  pattern: EVENT_ID_PATTERN,
  description:
    'Event id, derived from the chain: `<height>:<header hash>:<kind>` (e.g. `5000012:3f…9a:peak`), the same on ' +
    'every replica. The SSE `id:` field and the `last_event_id` cursor.',
});
/** A cursor as a client gives it: an event id, or a numeric id from an earlier version (which gets a gap). */
const EventIdCursor = Type.String({
  pattern: `${EVENT_ID_PATTERN}|${LEGACY_EVENT_ID_PATTERN}`,
  maxLength: 100,
  description: 'An event id (see `id`); a decimal id of an earlier gateway version is answered with `gap`',
});
const HeaderHash = Type.String({ pattern: '^0x[0-9a-f]{64}$', description: '0x-prefixed lowercase hex' });
/** A coin cursor: `<height>-<header hash>` of the block a client has every coin change up to (src/live/coin-cursor.ts). */
export const COIN_CURSOR_PATTERN = '^[0-9]{1,10}-[0-9a-f]{64}$';
const CoinCursor = Type.String({
  pattern: COIN_CURSOR_PATTERN,
  description:
    'Coin cursor: `<height>-<header hash, 64 hex digits>` of the block the client has every coin change of its keys up to. ' +
    'Taken from the chain (not a counter): valid after a restart and on any gateway of the same network.',
});
const Hex32 = Type.String({ pattern: '^0x[0-9a-f]{64}$' });
const Topics = Type.Array(Type.Union(LIVE_TOPICS.map((t) => Type.Literal(t))), { minItems: 1, maxItems: 8 });

export const PeakData = Type.Object(
  {
    height: Height,
    header_hash: HeaderHash,
    weight: Type.String({ pattern: '^[0-9]+$', description: 'u128 chain weight as a decimal string' }),
    fork_point_with_previous_peak: Height,
    peers: Type.Array(Type.String(), { description: '`host:port` of every link that reported this peak' }),
    received_at: Type.Integer({ description: 'Epoch ms when the gateway first saw this peak' }),
  },
  { title: 'LivePeakData', additionalProperties: false },
);

const BlockRef = Type.Object({ height: Height, header_hash: HeaderHash }, { additionalProperties: false });

// ---- server → client ----------------------------------------------------------------------------

export const HelloMessage = Type.Object(
  {
    type: Type.Literal('hello'),
    server: Type.Object({ name: Type.String(), version: Type.String() }),
    peak: Type.Union([PeakData, Type.Null()]),
    last_event_id: Type.Union([EventId, Type.Null()], { description: 'Id of the newest event so far' }),
    replay: Type.Object({
      capacity: Type.Integer({ description: 'Peaks the replay buffer holds at most (a setting of the gateway)' }),
      held: Type.Integer({ description: 'Peaks held now' }),
      oldest_height: Type.Union([Height, Type.Null()]),
      oldest_event_id: Type.Union([EventId, Type.Null()]),
    }),
    heartbeat_ms: Type.Integer(),
    max_message_bytes: Type.Integer(),
    subscribed: Type.Array(Type.String(), { description: 'Topics this connection receives live now' }),
  },
  { $id: 'LiveHello', additionalProperties: false },
);

export const PeakMessage = Type.Object(
  { type: Type.Literal('peak'), id: EventId, data: PeakData },
  { $id: 'LivePeak', additionalProperties: false },
);

export const ReorgMessage = Type.Object(
  {
    type: Type.Literal('reorg'),
    id: EventId,
    data: Type.Object(
      {
        fork_point: Height,
        rolled_back: Type.Object(
          { from: Height, to: Height },
          { description: 'Heights (inclusive) of the previous chain that are no longer on the main chain' },
        ),
        previous: BlockRef,
        peak: BlockRef,
      },
      { additionalProperties: false },
    ),
  },
  {
    $id: 'LiveReorg',
    additionalProperties: false,
    description: 'Sent just before the peak whose fork point is below the previous peak height',
  },
);

/** The reorg a resuming coin client missed: the stream's reorg event without `id` (it is this client's alone). */
export const CoinReorgMessage = Type.Object(
  { type: Type.Literal('reorg'), data: ReorgMessage.properties.data },
  {
    $id: 'LiveCoinReorg',
    additionalProperties: false,
    description:
      'Sent to one client resuming coins from a cursor whose block (`previous`) left the chain: drop every coin state ' +
      'above `fork_point` (a coin created above it is gone, one spent above it is unspent); the states from there follow.',
  },
);

export const LiveCoinRecord = Type.Object(
  {
    coin_id: Hex32,
    coin: Type.Object(
      {
        parent_coin_info: Hex32,
        puzzle_hash: Hex32,
        amount: Type.String({ pattern: '^[0-9]+$', description: 'u64 mojos as a decimal string' }),
      },
      { additionalProperties: false },
    ),
    confirmed_block_index: Type.Union([Height, Type.Null()], {
      description: 'Height of the block that created the coin; null: no block on the chain creates it any more (rolled back)',
    }),
    spent: Type.Boolean(),
    spent_block_index: Type.Union([Height, Type.Null()], { description: 'Height of the block that spent it; null while unspent' }),
    hint: Type.Union([Hex32, Type.Null()], { description: 'The watched puzzle hash the coin is hinted to, when it matched by its hint (a puzzle-hash subscription matches hinted coins too); null when it matched by its puzzle hash or id' }),
  },
  { $id: 'LiveCoinRecord', additionalProperties: false },
);

export const CoinsMessage = Type.Object(
  {
    type: Type.Literal('coins'),
    cursor: CoinCursor,
    data: Type.Object(
      {
        from_height: Type.Union([Height, Type.Null()], { description: 'The changes are those of heights (from_height, height]; null: from genesis' }),
        height: Height,
        header_hash: HeaderHash,
        coins: Type.Array(ref(LiveCoinRecord), { description: 'The state now of every coin of the subscription these heights created or spent' }),
      },
      { additionalProperties: false },
    ),
  },
  {
    $id: 'LiveCoins',
    additionalProperties: false,
    description:
      'The coins of a subscription a block changed (one event per block, only when one of its coins changed), or, while a ' +
      'resume catches up, what changed over several heights. `cursor` is the SSE `id:`; resuming from it sends exactly ' +
      'what changed after it.',
  },
);

export const GapMessage = Type.Object(
  {
    type: Type.Literal('gap'),
    data: Type.Object({
      since: Type.Union([Height, Type.Null()]),
      last_event_id: Type.Union([EventIdCursor, Type.Null()]),
      oldest_height: Type.Union([Height, Type.Null()]),
      oldest_event_id: Type.Union([EventId, Type.Null()]),
    }),
  },
  {
    $id: 'LiveGap',
    additionalProperties: false,
    description:
      'The cursor is older than the replay buffer, names a place this gateway cannot relate to its chain, or is a ' +
      'numeric id of an earlier version; the whole buffer follows',
  },
);

export const SubscribedMessage = Type.Object(
  {
    type: Type.Literal('subscribed'),
    topics: Topics,
    replayed: Type.Integer({ minimum: 0 }),
    cursor: Type.Optional(
      Type.Union([CoinCursor, Type.Null()], { description: 'For coins: where live coin events continue from (null: no peak yet); on SSE also its `id:`' }),
    ),
  },
  { $id: 'LiveSubscribed', additionalProperties: false, description: 'Replay done; live from here' },
);

export const UnsubscribedMessage = Type.Object(
  { type: Type.Literal('unsubscribed'), topics: Topics },
  { $id: 'LiveUnsubscribed', additionalProperties: false },
);

export const PongMessage = Type.Object({ type: Type.Literal('pong') }, { $id: 'LivePong', additionalProperties: false });

export const LIVE_ERROR_CODES = [
  'INVALID_JSON',
  'INVALID_MESSAGE',
  'UNKNOWN_TYPE',
  'BINARY_UNSUPPORTED',
  'REPLAY_TOO_SOON',
  // The last message before a close with 1008: the client passed its message budget.
  'MESSAGE_RATE_EXCEEDED',
  // A coins subscription refused or ended; the connection stays open, peaks go on.
  'INVALID_COIN_KEY',
  'COIN_KEYS_TOO_MANY',
  'COIN_KEYS_EXHAUSTED',
  'COINS_UNAVAILABLE',
] as const;
export type LiveErrorCode = (typeof LIVE_ERROR_CODES)[number];

export const ErrorMessage = Type.Object(
  {
    type: Type.Literal('error'),
    code: Type.Union(LIVE_ERROR_CODES.map((c) => Type.Literal(c))),
    message: Type.String(),
  },
  { $id: 'LiveError', additionalProperties: false },
);

const SERVER_MESSAGES = [
  HelloMessage,
  PeakMessage,
  ReorgMessage,
  CoinReorgMessage,
  CoinsMessage,
  GapMessage,
  SubscribedMessage,
  UnsubscribedMessage,
  PongMessage,
  ErrorMessage,
] as const;

/** Any server message, by reference to the components above (for openapi.yaml). */
export const ServerMessage = Type.Union(
  SERVER_MESSAGES.map((m) => ref(m)),
  { $id: 'LiveServerMessage', description: 'One JSON text frame (WebSocket) or SSE `data:` line from the gateway' },
);

// ---- client → server ----------------------------------------------------------------------------

export const SubscribeMessage = Type.Object(
  {
    type: Type.Literal('subscribe'),
    topics: Topics,
    since: Type.Optional(Height),
    last_event_id: Type.Optional(EventIdCursor),
    puzzle_hashes: Type.Optional(
      Type.Array(Type.String(), {
        maxItems: MAX_PUZZLE_STATE_HASHES,
        description: 'For coins: 0x puzzle hashes or addresses of the network (xch1…, txch1…); coins hinted to them match too',
      }),
    ),
    coin_ids: Type.Optional(Type.Array(Type.String(), { maxItems: MAX_PUZZLE_STATE_HASHES, description: 'For coins: 0x coin ids' })),
    cursor: Type.Optional(CoinCursor),
  },
  {
    $id: 'LiveSubscribe',
    additionalProperties: false,
    description:
      'With `peaks`: replays every buffered event after the cursor, in order, then continues live. `last_event_id` ' +
      '(exact, also across reorgs) wins over `since` (a height: replay starts after the newest buffered ' +
      'peak at or below it). With `coins`: replaces the connection\'s coin subscription by the given keys ' +
      '(`puzzle_hashes`, `coin_ids`, at least one); with `cursor`, first sends what changed after it, read from the chain.',
  },
);

export const UnsubscribeMessage = Type.Object(
  { type: Type.Literal('unsubscribe'), topics: Topics },
  { $id: 'LiveUnsubscribe', additionalProperties: false },
);

export const PingMessage = Type.Object(
  { type: Type.Literal('ping') },
  { $id: 'LivePing', additionalProperties: false, description: 'Application-level ping (browsers cannot see WebSocket pings); answered with pong' },
);

export const ClientMessage = Type.Union([ref(SubscribeMessage), ref(UnsubscribeMessage), ref(PingMessage)], {
  $id: 'LiveClientMessage',
  description: 'One JSON text frame a WebSocket client may send',
});

/** Component schemas of the live stream, registered with the shared ones (schemas/index.ts). */
export const LIVE_SCHEMAS: TSchema[] = [
  LiveCoinRecord,
  ...SERVER_MESSAGES,
  ServerMessage,
  SubscribeMessage,
  UnsubscribeMessage,
  PingMessage,
  ClientMessage,
];

/** Query of both routes: a cursor for the first connect (the SSE `Last-Event-ID` header wins). */
export const LiveQuery = Type.Object(
  {
    since: Type.Optional(Height),
    last_event_id: Type.Optional(EventIdCursor),
  },
  { additionalProperties: false },
);

/** Query of /v1/events: the peak cursors, and a coin subscription (comma-separated keys, its cursor). */
export const EventsQuery = Type.Object(
  {
    ...LiveQuery.properties,
    puzzle_hashes: Type.Optional(Type.String({ description: 'Coins: comma-separated 0x puzzle hashes or addresses (hinted coins match too)' })),
    coin_ids: Type.Optional(Type.String({ description: 'Coins: comma-separated 0x coin ids' })),
    cursor: Type.Optional(
      Type.String({ description: 'Coins: resume after this coin cursor (a `Last-Event-ID` in coin-cursor form wins); needs puzzle_hashes or coin_ids' }),
    ),
  },
  { additionalProperties: false },
);

export type PeakData = Static<typeof PeakData>;
export type CoinsMessage = Static<typeof CoinsMessage>;
export type LiveCoinRecord = Static<typeof LiveCoinRecord>;
export type EventsQuery = Static<typeof EventsQuery>;
export type HelloMessage = Static<typeof HelloMessage>;
export type PeakMessage = Static<typeof PeakMessage>;
export type ReorgMessage = Static<typeof ReorgMessage>;
export type CoinReorgMessage = Static<typeof CoinReorgMessage>;
export type GapMessage = Static<typeof GapMessage>;
export type ServerMessage = Static<(typeof SERVER_MESSAGES)[number]>;
export type ClientMessage = Static<typeof SubscribeMessage> | Static<typeof UnsubscribeMessage> | Static<typeof PingMessage>;
export type SubscribeMessage = Static<typeof SubscribeMessage>;
export type LiveQuery = Static<typeof LiveQuery>;
