/**
 * Coin fan-out benchmark: C WebSocket clients (default 1,000) on loopback, each subscribed to K puzzle
 * hashes (default 10: 10,000 subscriptions), K − 1 of its own and one all clients share, on the real
 * gateway (buildApp, a real listener). Two runs, each with its own baseline:
 *
 * - **memory**: over the in-memory coin chain (no node, no TLS): the gateway's own cost.
 * - **node**: over real mutual TLS to the strict fake full node (its default, the real node's
 *   200,000-subscription cap per peer; one link per role, as a node takes one connection per
 *   certificate), counting the
 *   register_for_ph_updates messages (and keys in each) the node received.
 *
 *   npm run bench:coins -- [--clients 1000] [--keys 10] [--rounds 20] [--warmup 3] [--only memory|node]
 *
 * Each run reports (1) the registrations made while every client subscribed at once (watch calls of
 * the in-memory chain; messages the node received), per 1,000 keys (target ≤ 1), and (2), rotating
 * rounds in the same run, the delivery time to the same clients of a peak (a block changing no watched
 * coin), of one coin event (a coin of the shared puzzle hash: one event for every client) and of a
 * block with a coin for every client (each its own event): from the moment the upstream emits the
 * block to the last client receiving it, p50, with the ratios to the peak (target for one coin event
 * ≤ 1.5). A coin round also carries its peak, received before the coins, which counts against the
 * coins. The clients live in a child process (clients.ts), so that receiving costs the gateway's event
 * loop nothing, as with remote clients; times are wall clock compared across the two processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { fromHex, types } from '../../src/chia/index.js';
import { CoinChain } from '../../fake-node/in-memory/coin-chain.js';
import { startFakeNode } from '../../fake-node/index.js';
import { BlockTemplate } from '../../fake-node/block-template.js';
import { SHARED, nowMs, phOf, type FromClients, type ToClients } from './protocol.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    keys: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const CLIENTS = Number(values.clients);
const KEYS = Number(values.keys);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const KEYS_PER_TARGET = 1_000;
const NODE_READY_MS = 60_000;
const POLL_MS = 50;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const KINDS = ['peak', 'shared', 'distinct'] as const;
type Kind = (typeof KINDS)[number];
/** The coins a round's block creates: none, one for every client to share, or one per client. */
const coinsOf = (kind: Kind, round: number): { puzzle_hash: string; amount: bigint }[] => {
  const amount = BigInt(round + 1);
  if (kind === 'peak') return [];
  if (kind === 'shared') return [{ puzzle_hash: SHARED, amount }];
  return Array.from({ length: CLIENTS }, (_, c) => ({ puzzle_hash: phOf(KEYS, c, round % (KEYS - 1)), amount }));
};

/** What a run drives: the upstream side of the gateway. */
interface Source {
  /** Blocks without coins to make, untimed, before a round (coins enter only some blocks). */
  untimedBefore(): number;
  /** Makes the round's block with `coins`. */
  block(coins: { puzzle_hash: string; amount: bigint }[]): void;
  /** When the upstream emitted the last block's peak, or its coins (nowMs()). */
  emittedAt(what: 'peak' | 'coins'): number;
  /** Registrations so far: messages (or calls) and the keys they carried; other state reads the node got. */
  registrations(): { messages: number; keys: number; reads: number };
}

function gatewayConfig(overrides: Partial<GatewayConfig>): GatewayConfig {
  return configWith({
    logLevel: 'silent',
    maxConnections: CLIENTS * 2,
    ws: { ...configWith({}).ws, maxClients: CLIENTS * 2, maxClientsPerIp: 0, maxCoinKeys: KEYS, maxCoinKeysTotal: CLIENTS * KEYS, sendBufferBytes: 64 * 1024 * 1024, maxMessageBytes: 64 * 1024 },
    ...overrides,
  });
}

/** The client process: C WebSocket clients (see clients.ts). */
function startClients(): ChildProcess {
  const path = fileURLToPath(new URL('./clients.ts', import.meta.url));
  // Every client needs a descriptor on each side: raise the soft limit to the hard one.
  const command = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "${process.execPath}" --import tsx "${path}"`;
  return spawn('sh', ['-c', command], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next message of `proc` that `match` takes; a `failed` report or an exit rejects. */
function next<T extends FromClients['event']>(proc: ChildProcess, event: T): Promise<Extract<FromClients, { event: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromClients) => {
      if (m.event !== event && m.event !== 'failed') return;
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      if (m.event === 'failed') reject(new Error(`client error: ${m.message}`));
      else resolve(m as Extract<FromClients, { event: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`the client process exited (${code})`));
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  });
}

/** Connects the clients, subscribes them all at once, then times the rounds; prints the figures. */
async function measure(label: string, app: GatewayApp, source: Source, unit: string): Promise<void> {
  const url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws') + '/v1/ws';
  const clients = startClients();
  const ask = (message: ToClients) => clients.send(message);
  try {
    ask({ cmd: 'connect', url, count: CLIENTS, keys: KEYS });
    await next(clients, 'connected');
    const before = source.registrations();
    ask({ cmd: 'subscribe' });
    const { seconds: subscribeSeconds, retries } = await next(clients, 'subscribed');
    // The node answers a registration after the client's `subscribed`: wait for every key to arrive.
    const deadline = Date.now() + NODE_READY_MS;
    while (source.registrations().keys - before.keys < CLIENTS * (KEYS - 1) + 1 && Date.now() < deadline) await sleep(POLL_MS);
    const after = source.registrations();
    const messages = after.messages - before.messages;
    const keys = after.keys - before.keys;
    const reads = after.reads - before.reads;

    /** Makes one block and waits until every client has it (and its coins); its delivery time. */
    let rounds = 0;
    const round = async (coins: ReturnType<typeof coinsOf>): Promise<number> => {
      const n = rounds++;
      ask({ cmd: 'round', round: n, coins: coins.length > 0 });
      await next(clients, 'armed');
      const received = next(clients, 'received');
      source.block(coins);
      const { lastPeak, lastCoins } = await received;
      return coins.length === 0 ? lastPeak - source.emittedAt('peak') : lastCoins - source.emittedAt('coins');
    };
    const series: Record<Kind, number[]> = { peak: [], shared: [], distinct: [] };
    for (let r = 0; r < KINDS.length * (WARMUP + ROUNDS); r++) {
      const kind = KINDS[r % KINDS.length] as Kind;
      for (let n = source.untimedBefore(); n > 0; n--) await round([]);
      const ms = await round(coinsOf(kind, r));
      if (r >= KINDS.length * WARMUP) series[kind].push(ms);
    }
    const roundReads = source.registrations().reads - after.reads;
    const peak = median(series.peak);
    const shared = median(series.shared);
    const distinct = median(series.distinct);
    console.log(`[${label}] clients ${CLIENTS}, subscribed keys ${CLIENTS * KEYS} (${KEYS} each, ${CLIENTS * (KEYS - 1) + 1} distinct), rounds ${ROUNDS}`);
    const subscriptions = CLIENTS * KEYS;
    const per1000 = (n: number) => (messages / (n / KEYS_PER_TARGET)).toFixed(2);
    console.log(
      `[${label}] ${unit} while all subscribed at once: ${messages}, carrying ${keys} distinct keys (${(keys / Math.max(1, messages)).toFixed(0)} each): ` +
        `${per1000(subscriptions)} per 1,000 subscribed keys (target ≤ 1), ${per1000(keys)} per 1,000 distinct keys`,
    );
    console.log(
      `[${label}] every client subscribed in ${subscribeSeconds.toFixed(1)} s, ${retries} subscribe(s) retried after COINS_UNAVAILABLE; ` +
        `other coin-state requests the upstream received meanwhile: ${reads}${label === 'memory' ? ' (not counted in memory)' : ''}`,
    );
    console.log(`[${label}] delivery to ${CLIENTS} clients, p50: peak ${peak.toFixed(2)} ms, one coin event ${shared.toFixed(2)} ms, a coin for each client ${distinct.toFixed(2)} ms`);
    if (label !== 'memory') {
      const coinRounds = series.shared.length + series.distinct.length + KINDS.length * WARMUP * (2 / 3);
      console.log(`[${label}] state reads during the rounds (checks of directly matched coins for other hints): ${roundReads}, ${(roundReads / coinRounds).toFixed(1)} per coin block`);
    }
    console.log(`[${label}] ratio one coin event/peak: ${(shared / peak).toFixed(2)} (target ≤ 1.5); a coin for each client/peak: ${(distinct / peak).toFixed(2)}`);
  } finally {
    ask({ cmd: 'exit' });
    await new Promise((resolve) => clients.once('exit', resolve));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The gateway over the in-memory coin chain. */
async function overMemory(): Promise<void> {
  const chain = new CoinChain(10);
  // Registered before the gateway's: called first, so they mark when the coins and the peak leave the upstream.
  const emitted = { peak: 0, coins: 0 };
  chain.onCoins(() => {
    emitted.coins = nowMs();
  });
  chain.on('peak', () => {
    emitted.peak = nowMs();
  });
  const app = await buildApp({ config: gatewayConfig({}), upstream: chain, coins: chain, logger: false });
  try {
    const source: Source = {
      untimedBefore: () => 0,
      block: (coins) => chain.addBlock({ create: coins }),
      emittedAt: (what) => emitted[what],
      registrations: () => {
        const calls = chain.watchCalls.filter((call) => call.op === 'watch');
        return { messages: calls.length, keys: calls.reduce((n, call) => n + call.keys.puzzle_hashes.length, 0), reads: 0 };
      },
    };
    await measure('memory', app, source, 'watch calls');
  } finally {
    await app.close();
  }
}

/** The node's other coin-state requests: each costs the node a read, and counts against its rate limits. */
const STATE_READS = new Set(['request_puzzle_state', 'request_coin_state', 'register_for_coin_updates']);

/** The gateway over real TLS to the strict fake node, counting what the node received. */
async function overNode(): Promise<void> {
  const network = 'devnet';
  const node = await startFakeNode({ network, chainLength: 20 });
  const registered = { messages: 0, keys: 0, reads: 0 };
  node.on('message', ({ name, data }) => {
    if (STATE_READS.has(name)) registered.reads++;
    if (name !== 'register_for_ph_updates' || data === undefined) return;
    registered.messages++;
    registered.keys += types.RegisterForPhUpdates.decode(data).puzzle_hashes.length;
  });
  let emittedAt = 0;
  // Before the node's own listener: marks the moment it starts sending the block's messages.
  node.chain.prependListener('peak', () => {
    emittedAt = nowMs();
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-coins-'));
  // One link per role: a node takes one connection per certificate.
  const config = gatewayConfig({ network, peers: [{ host: '127.0.0.1', port: node.port }], dataDir, linksPerRole: 1 });
  const app = await buildApp({ config, logger: false });
  try {
    const deadline = Date.now() + NODE_READY_MS;
    while (!(app.upstream.isReady('wallet') && app.upstream.peak() !== null)) {
      if (Date.now() > deadline) throw new Error('the gateway did not get ready');
      await sleep(POLL_MS);
    }
    const source: Source = {
      // Coins enter only transaction blocks; peaks are timed on transaction blocks too (no watched coin),
      // so the two differ only in the coins. The blocks before the next one are made untimed.
      untimedBefore: () => {
        let n = 0;
        while (!BlockTemplate.isTransactionBlock(node.chain.height + 1 + n)) n++;
        return n;
      },
      block: (coins) => {
        for (const c of coins) node.chain.addCoin({ puzzle_hash: fromHex(c.puzzle_hash), amount: c.amount });
        node.chain.addBlock();
      },
      // The node sends a block's coin_state_update and new_peak_wallet at the same moment.
      emittedAt: () => emittedAt,
      registrations: () => ({ ...registered }),
    };
    await measure('node', app, source, 'register_for_ph_updates messages the node received');
    const rules = node.violations.length + node.bans.length;
    console.log(`[node] violations and bans the node recorded: ${rules}`);
  } finally {
    await app.close();
    await node.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (values.only !== 'node') await overMemory();
if (values.only !== 'memory') await overNode();
