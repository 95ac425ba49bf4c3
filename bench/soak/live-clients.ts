/**
 * Live subscribers that come and go: each holds a WebSocket or SSE stream for a random while, closes it,
 * and reconnects with its cursor (the last event id, derived from the chain), checking that what it sees
 * continues the chain it saw: an id seen before is a duplicate; a peak that is not the next height of
 * the last one, or a reorg whose `previous` is not the last peak, is a miss unless the gateway said
 * `gap` first. (The fake node makes one block at a time, so on one branch heights follow each other.)
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import type { Tally } from './tally.js';

interface LiveMessage {
  type: string;
  id?: string;
  data?: { height?: number; header_hash?: string; previous?: { height: number; header_hash: string } };
}

/** Ids remembered per subscriber to recognise a duplicate (far more than one reconnect replays). */
const SEEN_IDS = 10_000;

/** The continuity check of one subscriber across its reconnects. */
class Continuity {
  #last: string | null = null;
  #peak: { height: number; hash: string } | null = null;
  /** A reorg was applied: the next peak may be at any height above its fork point. */
  #afterReorg = false;
  #gapAnnounced = false;
  readonly #seen = new Set<string>();

  constructor(
    private readonly tally: Tally,
    private readonly transport: string,
  ) {}

  get cursor(): string | null {
    return this.#last;
  }

  see(message: LiveMessage): void {
    this.tally.add(`live:${this.transport}:${message.type}`);
    if (message.type === 'gap') this.#gapAnnounced = true;
    if (message.id === undefined) return;
    if (this.#seen.has(message.id)) {
      this.tally.fail(`${this.transport} duplicate event`, `id ${message.id} after ${this.#last}`);
      return;
    }
    this.#seen.add(message.id);
    if (this.#seen.size > SEEN_IDS) this.#seen.delete(this.#seen.values().next().value as string);
    const peak = this.#peak;
    const miss = (what: string) => {
      if (!this.#gapAnnounced) this.tally.fail(`${this.transport} missed events`, `${what} after ${this.#last}, no gap announced`);
    };
    if (message.type === 'reorg') {
      const previous = message.data?.previous;
      if (peak !== null && previous?.header_hash !== peak.hash) miss(`reorg from ${previous?.height}`);
      this.#afterReorg = true;
    } else if (message.type === 'peak') {
      const height = message.data?.height ?? -1;
      if (peak !== null && !this.#afterReorg && height !== peak.height + 1) miss(`peak ${height}`);
      this.#peak = { height, hash: message.data?.header_hash ?? '' };
      this.#afterReorg = false;
    }
    this.#last = message.id;
    this.#gapAnnounced = false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const holdMs = (min: number, max: number) => min + Math.random() * (max - min);

/** One WebSocket session: connect with the cursor, read for `ms`, close. */
function wsSession(base: URL, continuity: Continuity, ms: number, tally: Tally): Promise<void> {
  const cursor = continuity.cursor;
  const url = `ws://${base.host}/v1/ws${cursor === null ? '' : `?last_event_id=${encodeURIComponent(cursor)}`}`;
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => socket.close(1000), ms);
    socket.on('message', (data) => continuity.see(JSON.parse(String(data)) as LiveMessage));
    socket.on('error', (err) => {
      // A refusal (e.g. the per-address cap while old sockets are still closing) is not an event loss;
      // ws words it "Unexpected server response: <status>".
      const status = Number(/Unexpected server response: (\d+)/.exec(err.message)?.[1] ?? 0);
      tally.add(`live:ws:error ${status || err.message}`);
      if (status >= 500) tally.fail('ws upgrade refused with 5xx', `status ${status}`);
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 1000 && code !== 1005 && code !== 1006) tally.add(`live:ws:closed ${code}`);
      tally.add('live:ws:sessions');
      resolve();
    });
  });
}

/** One SSE session: request with Last-Event-ID, read events for `ms`, abort. */
function sseSession(base: URL, continuity: Continuity, ms: number, tally: Tally): Promise<void> {
  const cursor = continuity.cursor;
  return new Promise((resolve) => {
    const req = request({ host: base.hostname, port: base.port, path: '/v1/events', headers: cursor === null ? {} : { 'last-event-id': cursor } }, (res) => {
      if (res.statusCode !== 200) {
        tally.add(`live:sse:refused ${res.statusCode ?? 0}`);
        if ((res.statusCode ?? 0) >= 500) tally.fail('sse refused with 5xx', `status ${res.statusCode}`);
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data:'));
          if (data !== undefined) continuity.see(JSON.parse(data.slice('data:'.length)) as LiveMessage);
        }
      });
      res.on('error', () => undefined);
    });
    const timer = setTimeout(() => req.destroy(), ms);
    req.on('error', () => undefined);
    req.on('close', () => {
      clearTimeout(timer);
      tally.add('live:sse:sessions');
      resolve();
    });
    req.end();
  });
}

/** Runs `count` subscribers of `transport` until `running` is false, each reconnecting after a random hold. */
export async function liveClients(
  base: URL,
  tally: Tally,
  options: { transport: 'ws' | 'sse'; count: number; holdMs: [number, number]; running: () => boolean },
): Promise<void> {
  const session = options.transport === 'ws' ? wsSession : sseSession;
  const subscriber = async (index: number) => {
    // Spread the first connects so reconnects do not come in waves.
    await sleep((index / options.count) * options.holdMs[0]);
    const continuity = new Continuity(tally, options.transport);
    while (options.running()) {
      await session(base, continuity, holdMs(...options.holdMs), tally);
      await sleep(100 + Math.random() * 400);
    }
  };
  await Promise.all(Array.from({ length: options.count }, (_, i) => subscriber(i)));
}
