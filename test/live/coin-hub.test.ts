import { afterEach, describe, expect, it } from 'vitest';
import { createPeakHub } from '../../src/live/peak-hub.js';
import { CoinChain } from '../../fake-node/in-memory/coin-chain.js';
import { UpstreamError } from '../../src/chia/index.js';
import { addressPrefix, toAddress } from '../../src/coins/addresses.js';
import { Value } from '@sinclair/typebox/value';
import { LIVE_SCHEMAS } from '../../schemas/live.js';
import { Type } from '@sinclair/typebox';
import { MemorySink } from './memory-sink.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { eventually } from '../support/eventually.js';

/** Waits until `sink` was told its coins subscription is live (or `n` of them). */
const untilSubscribed = (sink: MemorySink, n = 1) => eventually(`${n} coins subscribed`, () => subscribed(sink) >= n);
import { CoinModel, chainLines, ph } from './coin-model.js';

const hubs: { close(): void }[] = [];

function setup(options: { maxKeysTotal?: number; maxKeysPerClient?: number } = {}) {
  const chain = new CoinChain(10);
  const metrics = createMetrics({ defaultMetrics: false });
  const hub = createPeakHub(chain, {
    metrics,
    replaySize: 50,
    heartbeatMs: 60_000,
    sendBufferBytes: 1024 * 1024,
    maxMessageBytes: 4096,
    server: { name: 'test', version: '0' },
    replayIntervalMs: 0,
    coins: { upstream: chain, network: 'mainnet', maxKeysPerClient: options.maxKeysPerClient ?? 10, maxKeysTotal: options.maxKeysTotal ?? 100, forkGuessDepth: 5, memorySize: 50 },
  });
  hubs.push(hub);
  return { chain, hub, metrics };
}

function client(hub: ReturnType<typeof setup>['hub']) {
  const sink = new MemorySink();
  const c = hub.attach(sink);
  const model = new CoinModel();
  const seen = { count: 0 };
  const sync = () => {
    for (; seen.count < sink.messages.length; seen.count++) model.apply(sink.messages[seen.count] as { type: string });
    return model;
  };
  return { sink, c, model, sync };
}

const subscribed = (sink: MemorySink) => sink.messages.filter((m) => m.type === 'subscribed' && (m.topics as string[]).includes('coins')).length;

/** Every server message against the schema (with the referenced components). */
const ServerMessages = Type.Module(Object.fromEntries(LIVE_SCHEMAS.map((s) => [s.$id as string, s])));
function expectValid(sink: MemorySink): void {
  const check = ServerMessages.Import('LiveServerMessage');
  for (const message of sink.messages) expect(Value.Check(check, message), JSON.stringify(message)).toBe(true);
}

afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
});

describe('coin events', () => {
  it('sends the coins of subscribed puzzle hashes, hints and coin ids, one event per block, with a chain cursor', async () => {
    const { chain, hub } = setup();
    const { sink, c, sync } = client(hub);
    hub.receive(c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1)] }));
    await untilSubscribed(sink);
    const block = chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 5n }, { puzzle_hash: ph(2), amount: 7n, hint: ph(1) }, { puzzle_hash: ph(3), amount: 1n }] });
    const coins = sink.messages.filter((m) => m.type === 'coins');
    expect(coins).toHaveLength(1);
    expect(coins[0]).toMatchObject({ cursor: `${block.height}-${block.header_hash.slice(2)}`, data: { height: block.height, header_hash: block.header_hash } });
    expect((coins[0]?.data as { coins: unknown[] }).coins).toHaveLength(2);
    // The peak event comes first.
    expect(sink.types().slice(-2)).toEqual(['peak', 'coins']);
    expect(sync().lines()).toEqual(chainLines(chain.statesFor({ puzzle_hashes: [ph(1)], coin_ids: [] })));
    expectValid(sink);
  });

  it("a coin subscriber's peak and the block's coins event reach its socket in one write; other clients' peaks are not held", async () => {
    const { chain, hub } = setup();
    const watcher = client(hub);
    const other = client(hub);
    hub.receive(watcher.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1)] }));
    await untilSubscribed(watcher.sink);
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 5n }] });
    expect(other.sink.writes.at(-1)).toEqual(['peak']);
    // Uncorked when the upstream's turn ends.
    await new Promise((resolve) => process.nextTick(resolve));
    expect(watcher.sink.writes.at(-1)).toEqual(['peak', 'coins']);
    // A block with nothing for it: its peak alone, in the next write.
    chain.addBlock({});
    await new Promise((resolve) => process.nextTick(resolve));
    expect(watcher.sink.writes.at(-1)).toEqual(['peak']);
  });

  it('sends a coin matched by its own puzzle hash, found later to be hinted to another watched one, to the clients of that hint alone', async () => {
    const { chain, hub } = setup();
    const [byOwn, byHint, byBoth] = [client(hub), client(hub), client(hub)];
    hub.receive(byOwn.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1)] }));
    hub.receive(byHint.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(2)] }));
    hub.receive(byBoth.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1), ph(2)] }));
    for (const { sink } of [byOwn, byHint, byBoth]) await untilSubscribed(sink);
    await eventually('keys registered', () => chain.coinUpdatesInFlight === 0);
    const block = chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 5n, hint: ph(2) }] });
    // The next block leaves before the check of the first is read: the late event follows it.
    const next = chain.addBlock({ create: [{ puzzle_hash: ph(2), amount: 6n }] });
    await eventually('the late event', () => byHint.sink.messages.filter((m) => m.type === 'coins').length === 2);
    await eventually('every check done', () => chain.coinUpdatesInFlight === 0);
    const coinsOf = (sink: MemorySink) =>
      sink.messages.filter((m) => m.type === 'coins').flatMap((m) => (m.data as { height: number; coins: { hint: string | null }[] }).coins.map((c) => [(m.data as { height: number }).height, c.hint]));
    expect(coinsOf(byOwn.sink)).toEqual([[block.height, null]]);
    expect(coinsOf(byHint.sink)).toEqual([
      [next.height, null],
      [block.height, ph(2)],
    ]);
    expect(coinsOf(byBoth.sink)).toEqual([
      [block.height, null],
      [next.height, null],
    ]);
    // The late event names its own block: a resume from it repeats the later block (never misses it).
    expect(byHint.sink.messages.filter((m) => m.type === 'coins').map((m) => m.cursor)).toEqual([`${next.height}-${next.header_hash.slice(2)}`, `${block.height}-${block.header_hash.slice(2)}`]);
    expect(byHint.sync().lines()).toEqual(chainLines(chain.statesFor({ puzzle_hashes: [ph(2)], coin_ids: [] })));
    expectValid(byHint.sink);
  });

  it('counts coin events sent per transport, as peak events are counted', async () => {
    const { chain, hub, metrics } = setup();
    const sinks = [new MemorySink('ws'), new MemorySink('sse'), new MemorySink('ws')];
    for (const sink of sinks) hub.receive(hub.attach(sink), JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1)] }));
    for (const sink of sinks) await untilSubscribed(sink);
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 5n }] });
    expect((await metrics.liveEventsSent.get()).values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { transport: 'ws', type: 'coins' }, value: 2 }),
        expect.objectContaining({ labels: { transport: 'sse', type: 'coins' }, value: 1 }),
      ]),
    );
  });

  it('takes addresses of the configured network and names the expected prefix otherwise', async () => {
    const { chain, hub } = setup();
    const { sink, c } = client(hub);
    hub.receive(c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [toAddress(ph(9), addressPrefix('testnet11'))] }));
    expect(sink.messages.at(-1)).toMatchObject({ type: 'error', code: 'INVALID_COIN_KEY', message: expect.stringContaining('xch1') });
    hub.receive(c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [toAddress(ph(9), addressPrefix('mainnet'))] }));
    await untilSubscribed(sink);
    chain.addBlock({ create: [{ puzzle_hash: ph(9), amount: 1n }] });
    expect(sink.types().at(-1)).toBe('coins');
  });

  it('watches each distinct key once across clients, batched, and unwatches when the last client leaves', async () => {
    const { chain, hub } = setup();
    const a = client(hub);
    const b = client(hub);
    hub.receive(a.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1), ph(2)] }));
    hub.receive(b.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(2), ph(3)] }));
    await untilSubscribed(a.sink);
    await untilSubscribed(b.sink);
    expect(chain.watchCalls).toEqual([{ op: 'watch', keys: { puzzle_hashes: [ph(1), ph(2), ph(3)], coin_ids: [] } }]);
    hub.detach(a.c);
    expect(chain.watchCalls.at(-1)).toEqual({ op: 'unwatch', keys: { puzzle_hashes: [ph(1)], coin_ids: [] } });
    hub.detach(b.c);
    expect(chain.watchedKeys).toBe(0);
    expect(hub.coinKeyCount).toBe(0);
  });

  it('reads nothing for a subscription without a cursor, yet delivers a block that lands before its keys are registered', async () => {
    const { chain, hub } = setup();
    const { sink, c, sync } = client(hub);
    const start = chain.peak()!;
    hub.receive(c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1)], coin_ids: [ph(9)] }));
    // Before the hub's watch call (next turn) and the key's registration: the subscription started at `start`.
    const block = chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 3n }] });
    await untilSubscribed(sink);
    expect(sink.messages.find((m) => m.type === 'subscribed')).toMatchObject({ replayed: 0, cursor: `${start.height}-${start.header_hash.slice(2)}` });
    await eventually('the coin of the block after the start', () => sink.messages.some((m) => m.type === 'coins'));
    expect(sink.messages.find((m) => m.type === 'coins')).toMatchObject({ data: { height: block.height } });
    // The subscription read no state; the watch caught up from its start (the node's own catch-up read).
    expect(chain.reads).toEqual([]);
    expect(sync().lines()).toEqual(chainLines(chain.statesFor({ puzzle_hashes: [ph(1)], coin_ids: [] })));
  });

  it('refuses keys beyond the per-client and the global caps, and reports an upstream that cannot watch', async () => {
    const { chain, hub } = setup({ maxKeysTotal: 3, maxKeysPerClient: 2 });
    const a = client(hub);
    hub.receive(a.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1), ph(2), ph(3)] }));
    expect(a.sink.messages.at(-1)).toMatchObject({ code: 'COIN_KEYS_TOO_MANY' });
    hub.receive(a.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [ph(1), ph(2)] }));
    await untilSubscribed(a.sink);
    const b = client(hub);
    hub.receive(b.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], coin_ids: [ph(7), ph(8)] }));
    expect(b.sink.messages.at(-1)).toMatchObject({ code: 'COIN_KEYS_EXHAUSTED' });
    chain.watchFailure = new UpstreamError('SUBSCRIPTION_LIMIT', 'full');
    hub.receive(b.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], coin_ids: [ph(7)] }));
    await eventually('COINS_UNAVAILABLE', () => b.sink.messages.at(-1)?.code === 'COINS_UNAVAILABLE');
    expect(hub.coinKeyCount).toBe(2);
    expectValid(b.sink);
  });

  it('resumes from a cursor with exactly what changed since, read from the chain in pages', async () => {
    const { chain, hub } = setup();
    chain.maxItems = 2;
    const keys = { puzzle_hashes: [ph(1)], coin_ids: [] };
    const first = client(hub);
    hub.receive(first.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], ...keys }));
    await untilSubscribed(first.sink);
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 1n }] });
    const cursor = first.sync().cursor;
    hub.detach(first.c);
    // While away: five blocks of changes, one of them spending a coin the client has.
    const [spendable] = chain.unspentIds();
    for (let i = 0; i < 5; i++) chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: BigInt(i + 2) }], spend: i === 2 && spendable !== undefined ? [spendable] : [] });
    const second = client(hub);
    // The model carries over what the first connection received.
    second.model.coins.clear();
    for (const [id, held] of first.model.coins) second.model.coins.set(id, { ...held });
    hub.receive(second.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], ...keys, cursor }));
    await untilSubscribed(second.sink);
    expect(chain.reads.filter((r) => r.startsWith('puzzle')).length).toBeGreaterThan(1);
    const model = second.sync();
    expect(model.duplicates).toEqual([]);
    expect(model.lines()).toEqual(chainLines(chain.statesFor(keys)));
    expectValid(second.sink);
  });

  it('a resume names the hint of the hinted coins it reads: one key is that key, more are bisected', async () => {
    const { chain, hub } = setup();
    for (const keys of [{ puzzle_hashes: [ph(1)], coin_ids: [] }, { puzzle_hashes: [ph(1), ph(2), ph(3), ph(4)], coin_ids: [] }]) {
      const from = chain.addBlock({});
      chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 1n }, { puzzle_hash: ph(50 + keys.puzzle_hashes.length), amount: 2n, hint: keys.puzzle_hashes.at(-1) }] });
      const readsBefore = chain.reads.length;
      const a = client(hub);
      hub.receive(a.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], ...keys, cursor: `${from.height}-${from.header_hash.slice(2)}` }));
      await untilSubscribed(a.sink);
      const coins = a.sink.messages.filter((m) => m.type === 'coins').flatMap((m) => (m.data as { coins: { coin: { puzzle_hash: string }; hint: string | null }[] }).coins);
      expect(coins.map((c) => [c.coin.puzzle_hash, c.hint])).toEqual([
        [ph(1), null],
        [ph(50 + keys.puzzle_hashes.length), keys.puzzle_hashes.at(-1)],
      ]);
      // The resume's page, then (with four keys) two bisection reads.
      expect(chain.reads.length - readsBefore).toBe(keys.puzzle_hashes.length === 1 ? 1 : 3);
      hub.detach(a.c);
    }
  });

  it('announces a reorg below the cursor and re-sends the states from the fork', async () => {
    const { chain, hub } = setup();
    const keys = { puzzle_hashes: [ph(1)], coin_ids: [] };
    const first = client(hub);
    hub.receive(first.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], ...keys }));
    await untilSubscribed(first.sink);
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 1n }] });
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 2n }] });
    const model = first.sync();
    hub.detach(first.c);
    // The cursor's block leaves the chain; the new branch has other coins.
    chain.reorgTo(2, [{ create: [{ puzzle_hash: ph(1), amount: 3n }] }, {}, {}]);
    const second = client(hub);
    hub.receive(second.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], ...keys, cursor: model.cursor }));
    await untilSubscribed(second.sink);
    const reorg = second.sink.messages.find((m) => m.type === 'reorg');
    expect(reorg).toMatchObject({ data: { fork_point: 10 } });
    expect(reorg?.id).toBeUndefined();
    for (const m of second.sink.messages) model.apply(m as { type: string });
    expect(model.lines()).toEqual(chainLines(chain.statesFor(keys)));
    expectValid(second.sink);
  });

  it('holds live events while a resume is read and sends them after it, none twice', async () => {
    const { chain, hub } = setup();
    const keys = { puzzle_hashes: [ph(1)], coin_ids: [] };
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 1n }] });
    const a = client(hub);
    hub.receive(a.c, JSON.stringify({ type: 'subscribe', topics: ['coins'], ...keys, cursor: `10-${chain.history[0]?.header_hash.slice(2)}` }));
    // Blocks arrive before the resume's read runs (watch resolves on a later turn).
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 2n }] });
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 3n }] });
    await untilSubscribed(a.sink);
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 4n }] });
    const model = a.sync();
    expect(model.duplicates).toEqual([]);
    expect(model.lines()).toEqual(chainLines(chain.statesFor(keys)));
  });
});
