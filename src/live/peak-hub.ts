/**
 * The one fan-out point of live peaks to browsers (WebSocket and SSE). It listens to the upstream's
 * `peak` events, turns each into stream events (a `reorg` first when the peak rolled blocks back),
 * serialises each event once, keeps the last config.ws.replaySize peaks for replay, sends to open
 * subscribers only, sheds clients whose send buffer passes the ceiling or who send past their
 * message budget, and reaps dead ones by heartbeat. It also counts the slots (connected clients plus admitted upgrades) per client address,
 * for the per-IP cap: a client's count is given back exactly once, when it leaves the client set.
 * The protocol is described in the README ("Live peaks") and schemas/live.ts.
 */
import type { Peak, PeakChange, PeakFeed } from '../chia/index.js';
import type { Metrics } from '../metrics/metrics.js';
import { reorgOf, serialize, type QueuedEvent, type SerializedEvent } from './live-events.js';
import { peakJson } from '../chain/peak-json.js';
import { ReplayBuffer, type Cursor, type ReplayResult } from './replay-buffer.js';
import { eventId, placeOf, type ChainPlace } from './event-id.js';
import { CLOSE, type ControlType, type LiveSink } from './live-sink.js';
import { parseClientMessage } from './client-messages.js';
import { IpCounts } from './ip-counts.js';
import { MessageBudget, type MessageLimits } from './message-budget.js';
import { envName } from '../config/options.js';
import type { GapMessage, HelloMessage, PeakMessage, SubscribeMessage } from '../../schemas/live.js';
import type { LiveClient } from './live-client.js';
import type { CoinUpstream } from './coin-feed.js';
import { createCoinHub, type CoinHost, type CoinHub, type CoinHubOptions, type SentCount } from './coin-hub.js';
import { parseCoinKeys, type ConnectCoins } from './coin-keys.js';
import { parseCoinCursor } from './coin-cursor.js';

export type { LiveClient } from './live-client.js';

export interface PeakHubOptions {
  replaySize: number;
  heartbeatMs: number;
  sendBufferBytes: number;
  maxMessageBytes: number;
  server: { name: string; version: string };
  metrics?: Pick<Metrics, 'liveClients' | 'liveEventsSent' | 'liveSlowClientsTerminated'>;
  /**
   * Places on this gateway's chain a cursor it did not issue (another replica's, across a reorg this
   * one never saw): absent, such a cursor gets a gap.
   */
  chain?: ChainView;
  /**
   * Messages one client may send (config ws.messageRate, ws.messageBurst); beyond them it gets an
   * error frame and is closed with 1008. Absent: no budget.
   */
  messageLimits?: MessageLimits;
  /**
   * Least time between two replays (a subscribe with a cursor) of one client; default
   * REPLAY_INTERVAL_MS. A replay sends up to the whole buffer for a ~50-byte message, so without a
   * bound one fast-reading client could make the gateway write hundreds of KB per message it sends.
   */
  replayIntervalMs?: number;
  now?: () => number;
  /** Coin events: the upstream's coin feed and wallet reads, and their limits. Absent: a coins subscribe is answered COINS_UNAVAILABLE. */
  coins?: { upstream: CoinUpstream; maxKeysPerClient: number } & CoinHubOptions;
}

/** What the hub asks of the chain to resume another replica's cursor. */
export interface ChainView {
  /** The header hash of this gateway's main-chain block at `height`, or null when it cannot tell (no link, above the peak). */
  hashAt(height: number): Promise<string | null>;
  /**
   * How deep a fork is assumed below a block that is not on this chain: the configured confirmations,
   * the depth below which the gateway treats blocks as final.
   */
  forkDepth: number;
}

/** A reconnecting client replays once; a second replay within this interval is refused with an error frame. */
export const REPLAY_INTERVAL_MS = 1_000;

/** Why the hub let a client go before it left (the reason label of liveSlowClientsTerminated). */
type ShedReason = 'send_buffer' | 'heartbeat' | 'message_rate';

export type PeakHub = ReturnType<typeof createPeakHub>;

/** Creates a hub fed by `source`; call close() to detach it and end every client. */
export function createPeakHub(source: PeakFeed, options: PeakHubOptions) {
  const buffer = new ReplayBuffer(options.replaySize);
  const clients = new Set<LiveClient>();
  const metrics = options.metrics;
  const now = options.now ?? Date.now;
  const replayIntervalMs = options.replayIntervalMs ?? REPLAY_INTERVAL_MS;
  let nextSeq = 0;
  let current: Peak | null = null;
  let closed = false;
  let reserved = 0;
  const perIp = new IpCounts();

  function record(change: PeakChange): SerializedEvent[] {
    const { peak } = change;
    const events: SerializedEvent[] = [];
    coinHub?.recordPeak(change);
    const reorg = reorgOf(change);
    if (reorg !== null) events.push(serialize({ type: 'reorg', id: eventId(peak.height, peak.header_hash, 'reorg'), data: reorg }, nextSeq++));
    events.push(serialize({ type: 'peak', id: eventId(peak.height, peak.header_hash, 'peak'), data: peakJson(peak) }, nextSeq++));
    buffer.push({ height: peak.height, events });
    current = peak;
    return events;
  }

  function onPeak(change: PeakChange): void {
    if (closed || change.peak.header_hash === current?.header_hash) return;
    // The change's fork point is relative to its `previous`, the best the upstream had before, which
    // is the hub's `current` too: the hub saw that peak first (source.peak() at creation) or as a change.
    const events = record(change);
    // The upstream emits a block's coin updates right after its peak, in the same turn: a coin
    // subscriber's socket is corked until that turn ends, so that the peak and the coins event reach
    // it in one write. A second write per client would make a coin event cost a whole second fan-out
    // (one system call per socket is most of a fan-out's cost, bench:fanout).
    const corked: LiveClient[] = [];
    // Event-major order: every client gets the reorg before the peak, and a shed client (removed
    // from the set while iterating, which Set allows) gets nothing more.
    for (const [i, event] of events.entries()) {
      const sent: SentCount = { ws: 0, sse: 0 };
      for (const client of clients) {
        if (!client.subscribed) continue;
        if (i === 0 && client.coins !== null && client.pending === null) {
          client.sink.cork();
          corked.push(client);
        }
        if (deliver(client, event)) sent[client.sink.transport]++;
      }
      countSent(event.type, sent);
    }
    if (corked.length > 0) process.nextTick(() => corked.forEach((client) => client.sink.uncork()));
  }

  /** One increment per broadcast and transport, not per client (cheap with 10,000 clients). */
  function countSent(type: string, sent: SentCount): void {
    if (sent.ws > 0) metrics?.liveEventsSent.inc({ transport: 'ws', type }, sent.ws);
    if (sent.sse > 0) metrics?.liveEventsSent.inc({ transport: 'sse', type }, sent.sse);
  }

  /** Sends one event, or queues it while the client's coin resume is read (see LiveClient.pending). */
  function deliver(client: LiveClient, event: QueuedEvent): boolean {
    if (client.pending === null) return send(client, event);
    // The queue is bounded like the send buffer: a resume that takes long enough to fill it sheds the client.
    client.pendingBytes += event.frame.length;
    if (client.pendingBytes > options.sendBufferBytes) {
      shed(client, 'send_buffer', 'slow consumer: send buffer ceiling exceeded');
      return false;
    }
    client.pending.push(event);
    return true;
  }

  /** Sends one event unless the client is over its send-buffer ceiling, in which case it is shed. */
  function send(client: LiveClient, event: QueuedEvent): boolean {
    if (client.sink.bufferedBytes() + event.frame.length > options.sendBufferBytes) {
      shed(client, 'send_buffer', 'slow consumer: send buffer ceiling exceeded');
      return false;
    }
    if (event.type === 'coins') {
      client.sink.sendEvent(event);
      return true;
    }
    // On SSE the Last-Event-ID of a coin subscriber is its coin cursor: peak events go without id.
    client.sink.sendEvent(client.coins !== null && client.sink.transport === 'sse' ? { ...event, sse: event.sseWithoutId } : event);
    client.lastSentSeq = event.seq;
    return true;
  }

  /**
   * Sends a client's queued events once its coin resume is sent: coin events of heights the resume
   * read (up to `covered`) are skipped. A queued reorg below `covered` makes the client drop states
   * the resume sent: it is sent, the rest stays queued, and its fork point is returned for the coin
   * hub to read again from there; null once everything is sent.
   */
  function release(client: LiveClient, covered: number | null): number | null {
    const queued = client.pending ?? [];
    const upTo = covered ?? -1;
    for (const [i, event] of queued.entries()) {
      if (event.type === 'coins' && event.height <= upTo) continue;
      if (!send(client, event)) return null;
      if (event.type === 'reorg' && event.forkPoint !== null && event.forkPoint < upTo) {
        client.pending = queued.slice(i + 1);
        client.pendingBytes = client.pending.reduce((sum, e) => sum + e.frame.length, 0);
        return event.forkPoint;
      }
    }
    client.pending = null;
    client.pendingBytes = 0;
    return null;
  }

  function shed(client: LiveClient, reason: ShedReason, text: string): void {
    if (!clients.has(client)) return;
    metrics?.liveSlowClientsTerminated.inc({ transport: client.sink.transport, reason });
    detach(client);
    client.sink.close(CLOSE.POLICY_VIOLATION, text);
  }

  /** Sends a per-client message under the same ceiling: a client that sends pings but never reads is shed too. */
  function control(client: LiveClient, type: ControlType, message: object, sseId?: string): void {
    const json = JSON.stringify({ type, ...message });
    if (client.sink.bufferedBytes() + json.length > options.sendBufferBytes) {
      shed(client, 'send_buffer', 'slow consumer: send buffer ceiling exceeded');
      return;
    }
    client.sink.sendControl(type, json, sseId);
  }

  const host: CoinHost = {
    deliver,
    countSent,
    send,
    control,
    served: (client) => clients.has(client),
    hold: (client) => {
      // A resume replacing one in progress keeps the queue (its peaks), without the old keys' coins.
      client.pending = (client.pending ?? []).filter((event) => event.type !== 'coins');
      client.pendingBytes = client.pending.reduce((sum, event) => sum + event.frame.length, 0);
    },
    release,
    peak: () => current,
  };
  const coinOptions = options.coins;
  const coinHub: CoinHub | null = coinOptions === undefined ? null : createCoinHub(coinOptions.upstream, host, coinOptions);

  /** A subscribe naming `coins`: checks the keys and the cursor, then hands over to the coin hub. */
  function subscribeCoins(client: LiveClient, message: SubscribeMessage): void {
    if (coinHub === null || coinOptions === undefined) {
      return control(client, 'error', { code: 'COINS_UNAVAILABLE', message: 'this gateway serves no coin events (no wallet upstream)' });
    }
    const parsed = parseCoinKeys(message, coinOptions.network, coinOptions.maxKeysPerClient);
    if (!parsed.ok) return control(client, 'error', { code: parsed.code, message: parsed.message });
    const cursor = message.cursor === undefined ? null : parseCoinCursor(message.cursor);
    void coinHub.subscribe(client, parsed.keys, cursor);
  }

  function hello(): Omit<HelloMessage, 'type' | 'subscribed'> {
    const oldest = buffer.oldest();
    return {
      server: options.server,
      peak: current === null ? null : peakJson(current),
      last_event_id: buffer.latest()?.id ?? null,
      replay: {
        capacity: buffer.capacity,
        held: buffer.size,
        oldest_height: oldest?.height ?? null,
        oldest_event_id: oldest?.eventId ?? null,
      },
      heartbeat_ms: options.heartbeatMs,
      max_message_bytes: options.maxMessageBytes,
    };
  }

  /**
   * Replays every buffered event after `cursor` (or says there is a gap), then the client is live. A
   * cursor the buffer does not hold is placed on the chain first (resume), asynchronously: the client
   * gets no live event meanwhile, and the replay then includes whatever arrived.
   */
  function subscribe(client: LiveClient, cursor: Cursor | null): void {
    if (cursor === null) {
      if (!client.subscribed) client.contiguousAfter = latestSeq();
      return replay(client, null, { events: [], gap: false });
    }
    client.replayAllowedAt = now() + replayIntervalMs;
    const found = buffer.after(cursor);
    if (found !== null) return replay(client, cursor, found);
    const place = 'lastEventId' in cursor ? placeOf(cursor.lastEventId) : null;
    const chain = options.chain;
    if (place === null || chain === undefined) return replay(client, cursor, buffer.gap());
    client.subscribed = false;
    client.contiguousAfter = null;
    chain.hashAt(place.height).then(
      (hash) => {
        if (clients.has(client)) replay(client, cursor, resume(place, hash, chain.forkDepth));
      },
      () => {
        if (clients.has(client)) replay(client, cursor, buffer.gap());
      },
    );
  }

  /**
   * The events that bring a client from `place` (another replica's event, not in the buffer) to now,
   * given this chain's hash at its height. On this chain: everything after that height. On another
   * branch: a `reorg` from it (fork point `forkDepth` below it at most, the depth taken as final,
   * since the other branch's blocks are unknown here), then the buffered peaks above the fork point.
   */
  function resume(place: ChainPlace, hash: string | null, forkDepth: number): ReplayResult {
    if (hash === null) return buffer.gap();
    if (hash === place.headerHash) return buffer.afterHeight(place.kind === 'reorg' ? place.height - 1 : place.height);
    const forkPoint = Math.max(0, place.height - forkDepth);
    const { events, gap } = buffer.afterHeight(forkPoint);
    const first = events.find((e) => e.type === 'peak');
    if (gap || first === undefined) return buffer.gap();
    const peak = JSON.parse(first.json) as PeakMessage;
    const reorg = serialize(
      {
        type: 'reorg',
        id: eventId(peak.data.height, peak.data.header_hash, 'reorg'),
        data: {
          fork_point: forkPoint,
          rolled_back: { from: forkPoint + 1, to: place.height },
          previous: { height: place.height, header_hash: place.headerHash },
          peak: { height: peak.data.height, header_hash: peak.data.header_hash },
        },
      },
      first.seq - 1,
    );
    // This reorg takes the place of the one this gateway saw before that peak, if any (same id).
    return { events: [reorg, ...events.slice(events.indexOf(first))], gap: false };
  }

  /** Sends a replay (or a gap and the whole buffer), then the client is live. */
  function replay(client: LiveClient, cursor: Cursor | null, { events, gap }: ReplayResult): void {
    let replayed = 0;
    if (cursor !== null) {
      if (gap) control(client, 'gap', { data: gapData(cursor) });
      if (!clients.has(client)) return; // shed while sending
      // Events the client already got live are skipped only when that keeps the order: if the
      // replay starts inside its contiguous range; otherwise they are resent (same ids).
      const first = events[0];
      const skipUpTo =
        client.subscribed && first !== undefined && client.contiguousAfter !== null && first.seq > client.contiguousAfter
          ? (client.lastSentSeq ?? -Infinity)
          : -Infinity;
      for (const event of events) {
        if (event.seq <= skipUpTo) continue;
        if (!deliver(client, event)) return;
        replayed++;
      }
      client.contiguousAfter =
        first !== undefined ? Math.min(client.contiguousAfter ?? Infinity, first.seq - 1) : (client.contiguousAfter ?? latestSeq());
    }
    client.subscribed = true;
    control(client, 'subscribed', { topics: ['peaks'], replayed });
  }

  function latestSeq(): number | null {
    return buffer.latest()?.seq ?? null;
  }

  function gapData(cursor: Cursor): GapMessage['data'] {
    const oldest = buffer.oldest();
    return {
      since: 'since' in cursor ? cursor.since : null,
      last_event_id: 'lastEventId' in cursor ? cursor.lastEventId : null,
      oldest_height: oldest?.height ?? null,
      oldest_event_id: oldest?.eventId ?? null,
    };
  }

  /** Forgets a client; only the call that removes it from the set gives back its per-IP count. */
  function detach(client: LiveClient): void {
    if (!clients.delete(client)) return;
    coinHub?.drop(client);
    client.pending = null;
    metrics?.liveClients.dec({ transport: client.sink.transport });
    if (client.ip !== null) perIp.remove(client.ip);
  }

  /**
   * Takes one client message from its budget. A client over it is told which limit it passed, then
   * closed with 1008; a client no longer served spends nothing (its frames in flight are ignored).
   */
  function spend(client: LiveClient): boolean {
    if (!clients.has(client)) return false;
    if (client.budget === null || client.budget.take(now())) return true;
    const { burst, rate } = client.budget.limits;
    control(client, 'error', {
      code: 'MESSAGE_RATE_EXCEEDED',
      message:
        `more than ${burst} messages at once or ${rate} a second over time (${envName('wsMessageBurst')}, ${envName('wsMessageRate')}): ` +
        `closing the connection (${CLOSE.POLICY_VIOLATION})`,
    });
    shed(client, 'message_rate', 'message rate exceeded');
    return false;
  }

  /** Answers one client message: a ping, an unsubscribe, or a subscribe (with a replay). */
  function answer(client: LiveClient, text: string): void {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return control(client, 'error', { code: parsed.code, message: parsed.message });
    const message = parsed.message;
    if (message.type === 'ping') return control(client, 'pong', {});
    if (message.type === 'unsubscribe') {
      if (message.topics.includes('coins')) coinHub?.drop(client);
      if (message.topics.includes('peaks')) {
        client.subscribed = false;
        client.contiguousAfter = null;
      }
      return control(client, 'unsubscribed', { topics: message.topics });
    }
    const wantsCoins = message.topics.includes('coins');
    if (!wantsCoins && (message.puzzle_hashes !== undefined || message.coin_ids !== undefined || message.cursor !== undefined)) {
      return control(client, 'error', { code: 'INVALID_MESSAGE', message: 'puzzle_hashes, coin_ids and cursor go with the topic "coins"' });
    }
    const cursor: Cursor | null =
      message.last_event_id !== undefined
        ? { lastEventId: message.last_event_id }
        : message.since !== undefined
          ? { since: message.since }
          : null;
    const wait = client.replayAllowedAt - now();
    if ((cursor !== null || message.cursor !== undefined) && wait > 0) {
      return control(client, 'error', {
        code: 'REPLAY_TOO_SOON',
        message: `one replay per ${replayIntervalMs} ms per connection: retry in ${wait} ms (nothing changed)`,
      });
    }
    if (message.cursor !== undefined) client.replayAllowedAt = now() + replayIntervalMs;
    if (message.topics.includes('peaks')) subscribe(client, cursor);
    if (wantsCoins) subscribeCoins(client, message);
  }

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.sink.heartbeat()) shed(client, 'heartbeat', 'heartbeat missed');
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  const initial = source.peak();
  if (initial !== null) record({ peak: initial, previous: null, forkPoint: null });
  source.on('peak', onPeak);

  return {
    get clientCount(): number {
      return clients.size;
    },
    /** Connected clients plus admitted connections not attached yet (an upgrade in progress). */
    get slotsInUse(): number {
      return clients.size + reserved;
    },
    /** Slots (connected clients plus admitted upgrades) held by one client address. */
    slotsInUseBy(ip: string): number {
      return perIp.get(ip);
    },
    /** Holds a slot (for `ip` too, if given) for a connection being admitted; the returned release is idempotent. */
    reserve(ip: string | null = null): () => void {
      reserved++;
      if (ip !== null) perIp.add(ip);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        reserved--;
        if (ip !== null) perIp.remove(ip);
      };
    },
    /**
     * Registers a connected client from address `ip` (null: not counted per address): hello, then the
     * replay after `cursor` if any, then live peaks.
     */
    attach(sink: LiveSink, cursor: Cursor | null = null, ip: string | null = null, coins: ConnectCoins | null = null): LiveClient {
      const latest = latestSeq();
      const budget = options.messageLimits === undefined ? null : new MessageBudget(options.messageLimits);
      const client: LiveClient = {
        sink,
        subscribed: true,
        lastSentSeq: latest,
        contiguousAfter: latest,
        ip,
        replayAllowedAt: 0,
        budget,
        coins: null,
        pending: null,
        pendingBytes: 0,
        coinsCovered: -1,
      };
      if (closed) {
        sink.close(CLOSE.GOING_AWAY, 'server shutting down');
        return client;
      }
      clients.add(client);
      metrics?.liveClients.inc({ transport: sink.transport });
      if (ip !== null) perIp.add(ip);
      control(client, 'hello', { ...hello(), subscribed: ['peaks'] });
      if (cursor !== null) subscribe(client, cursor);
      if (coins !== null) {
        if (coinHub === null) control(client, 'error', { code: 'COINS_UNAVAILABLE', message: 'this gateway serves no coin events (no wallet upstream)' });
        else void coinHub.subscribe(client, coins.keys, coins.cursor);
      }
      return client;
    },
    /** Distinct coin keys watched now (0 without coin events). */
    get coinKeyCount(): number {
      return coinHub?.keyCount ?? 0;
    },
    /** Forgets a client whose connection ended. Idempotent. */
    detach,
    /**
     * Handles one text message from a WebSocket client. False when the client is no longer served
     * (shed, closed, or over its message budget now): the transport may stop reading it.
     */
    receive(client: LiveClient, text: string): boolean {
      if (spend(client)) answer(client, text);
      return clients.has(client);
    },
    /** Tells a client its frame was unusable (binary, for instance); false as for receive. */
    reject(client: LiveClient, code: 'BINARY_UNSUPPORTED', message: string): boolean {
      if (spend(client)) control(client, 'error', { code, message });
      return clients.has(client);
    },
    /** Stops listening to the source and closes every client with 1001 (going away). */
    close(): void {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      source.off('peak', onPeak);
      coinHub?.close();
      for (const client of [...clients]) {
        detach(client);
        client.sink.close(CLOSE.GOING_AWAY, 'server shutting down');
      }
    },
  };
}
