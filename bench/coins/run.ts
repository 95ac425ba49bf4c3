/**
 * Coin fan-out benchmark: C WebSocket clients (default 1,000) on loopback, each subscribed to K puzzle
 * hashes (default 10: 10,000 subscriptions), K − 1 of its own and one all clients share, on the real
 * gateway over the in-memory coin chain.
 *
 *   npm run bench:coins -- [--clients 1000] [--keys 10] [--rounds 20] [--warmup 3]
 *
 * It reports (1) the watch calls the port received while every client subscribed at once, with
 * keys per call (the aggregator's node messages are measured with it), and (2) in the same run,
 * rotating rounds, the delivery time to the same clients of a peak (a block changing no watched
 * coin), of one coin event (a coin of the shared puzzle hash: one event for every client) and of a
 * block with a coin for every client (each client its own event, nothing shared): from the moment
 * the upstream emits it to the last client receiving it, p50, with the ratios to the peak (target
 * for one coin event ≤ 1.5). A coin round also carries its peak, received before the coins, which
 * counts against the coins. Clients live in this process too (the same receiving cost for all).
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../../src/app.js';
import { configWith } from '../../src/config/config.js';
import { CoinChain } from '../../fake-node/in-memory/coin-chain.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    keys: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
  },
});
const CLIENTS = Number(values.clients);
const KEYS = Number(values.keys);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);

const phOf = (client: number, key: number) => `0x${(client * KEYS + key + 1).toString(16).padStart(64, '0')}`;
/** The puzzle hash every client watches (its K-th key). */
const SHARED = `0x${'f'.repeat(64)}`;
const keysOf = (client: number) => [...Array.from({ length: KEYS - 1 }, (_, k) => phOf(client, k)), SHARED];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const chain = new CoinChain(10);
  // Registered before the gateway's: called first, so it marks when the coins leave the upstream.
  let coinsAt = 0;
  chain.onCoins(() => {
    coinsAt = performance.now();
  });
  let peakAt = 0;
  chain.on('peak', () => {
    peakAt = performance.now();
  });
  const config = configWith({
    logLevel: 'silent',
    maxConnections: CLIENTS * 2,
    ws: { ...configWith({}).ws, maxClients: CLIENTS * 2, maxClientsPerIp: 0, maxCoinKeys: KEYS, maxCoinKeysTotal: CLIENTS * KEYS, sendBufferBytes: 64 * 1024 * 1024, maxMessageBytes: 64 * 1024 },
  });
  const app = await buildApp({ config, upstream: chain, coins: chain, logger: false });
  const url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws') + '/v1/ws';

  let pending = { peak: 0, coins: 0 };
  let last = { peak: 0, coins: 0 };
  let subscribed = 0;
  let allSubscribed: () => void = () => undefined;
  const subscribedAll = new Promise<void>((resolve) => (allSubscribed = resolve));
  const sockets: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, () => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      sockets.push(ws);
      ws.on('message', (data) => {
        const type = /"type":"(\w+)"/.exec(data.toString('utf8', 0, 24))?.[1];
        if (type === 'peak' || type === 'coins') {
          last[type] = performance.now();
          pending[type]--;
        } else if (type === 'subscribed' && ++subscribed === CLIENTS) allSubscribed();
      });
      return new Promise<void>((resolve) => ws.once('open', () => resolve()));
    }),
  );
  const watchCallsBefore = chain.watchCalls.length;
  sockets.forEach((ws, c) =>
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: keysOf(c) })),
  );
  await subscribedAll;
  const calls = chain.watchCalls.slice(watchCallsBefore).filter((call) => call.op === 'watch');
  const watchedKeys = calls.reduce((n, call) => n + call.keys.puzzle_hashes.length, 0);

  const until = (type: 'peak' | 'coins') =>
    new Promise<void>((resolve) => {
      const check = () => (pending[type] <= 0 ? resolve() : setImmediate(check));
      check();
    });
  const KINDS = ['peak', 'shared', 'distinct'] as const;
  const series = { peak: [] as number[], shared: [] as number[], distinct: [] as number[] };
  for (let round = 0; round < KINDS.length * (WARMUP + ROUNDS); round++) {
    const kind = KINDS[round % KINDS.length] as (typeof KINDS)[number];
    pending = { peak: CLIENTS, coins: kind === 'peak' ? 0 : CLIENTS };
    last = { peak: 0, coins: 0 };
    const amount = BigInt(round + 1);
    const create =
      kind === 'peak'
        ? []
        : kind === 'shared'
          ? [{ puzzle_hash: SHARED, amount }]
          : Array.from({ length: CLIENTS }, (_, c) => ({ puzzle_hash: phOf(c, round % (KEYS - 1)), amount }));
    chain.addBlock({ create });
    await until('peak');
    await until('coins');
    if (round >= KINDS.length * WARMUP) series[kind].push(kind === 'peak' ? last.peak - peakAt : last.coins - coinsAt);
  }
  const peak = median(series.peak);
  const shared = median(series.shared);
  const distinct = median(series.distinct);
  console.log(`clients ${CLIENTS}, keys ${CLIENTS * KEYS} (${KEYS} each), rounds ${ROUNDS}`);
  console.log(`watch calls while all subscribed at once: ${calls.length} for ${watchedKeys} keys (${(calls.length / (watchedKeys / 1000)).toFixed(2)} per 1,000 keys)`);
  console.log(`delivery to ${CLIENTS} clients, p50: peak ${peak.toFixed(2)} ms, one coin event ${shared.toFixed(2)} ms, a coin for each client ${distinct.toFixed(2)} ms`);
  console.log(`ratio one coin event/peak: ${(shared / peak).toFixed(2)} (target ≤ 1.5); a coin for each client/peak: ${(distinct / peak).toFixed(2)}`);
  for (const ws of sockets) ws.terminate();
  await app.close();
}

await main();
