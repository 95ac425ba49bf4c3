/** Coin events over real sockets: /v1/ws subscribe messages and /v1/events query parameters, resumes, 400s. */
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith } from '../../src/config/config.js';
import { CoinChain } from '../../fake-node/in-memory/coin-chain.js';
import { addressPrefix, toAddress } from '../../src/coins/addresses.js';
import { LiveClient } from '../live/live-app.js';
import { SseClient } from '../live/sse-client.js';
import { CoinModel, chainLines, ph } from '../live/coin-model.js';

const opened: { close(): void }[] = [];
let app: GatewayApp | null = null;

async function start(): Promise<{ chain: CoinChain; base: string }> {
  const chain = new CoinChain(10);
  app = await buildApp({ config: configWith({ logLevel: 'silent', network: 'testnet11' }), upstream: chain, coins: chain });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { chain, base };
}

afterEach(async () => {
  for (const c of opened.splice(0)) c.close();
  await app?.close();
  app = null;
});

describe('live coins over real sockets', () => {
  it('WebSocket: subscribes with an address, receives coins with a cursor, and resumes from it after a drop', async () => {
    const { chain, base } = await start();
    const keys = { puzzle_hashes: [ph(1)], coin_ids: [] };
    const first = new LiveClient(`${base.replace('http', 'ws')}/v1/ws`);
    opened.push(first);
    await first.until((m) => m.some((x) => x.type === 'hello'), 'hello');
    first.send({ type: 'subscribe', topics: ['coins'], puzzle_hashes: [toAddress(ph(1), addressPrefix('testnet11'))] });
    await first.until((m) => m.some((x) => x.type === 'subscribed'), 'subscribed');
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 1n }] });
    await first.until((m) => m.some((x) => x.type === 'coins'), 'coins');
    const model = new CoinModel();
    for (const m of first.messages) model.apply(m);
    first.close();
    chain.addBlock({ create: [{ puzzle_hash: ph(2), amount: 2n, hint: ph(1) }] });
    const second = new LiveClient(`${base.replace('http', 'ws')}/v1/ws`);
    opened.push(second);
    await second.until((m) => m.some((x) => x.type === 'hello'), 'hello');
    second.send({ type: 'subscribe', topics: ['coins'], ...keys, cursor: model.cursor });
    await second.until((m) => m.some((x) => x.type === 'subscribed'), 'resumed');
    for (const m of second.messages) model.apply(m);
    expect(model.duplicates).toEqual([]);
    expect(model.lines()).toEqual(chainLines(chain.statesFor(keys)));
  });

  it('SSE: keys in the query, the coin cursor as id:, a reconnect with Last-Event-ID gets exactly what it missed', async () => {
    const { chain, base } = await start();
    const keys = { puzzle_hashes: [ph(1)], coin_ids: [] };
    const first = new SseClient(`${base}/v1/events?puzzle_hashes=${ph(1)}`);
    opened.push(first);
    await first.until((c) => c.events.some((e) => e.event === 'subscribed'), 'subscribed');
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 1n }] });
    await first.until((c) => c.events.some((e) => e.event === 'coins'), 'coins');
    chain.addBlock({});
    await first.until((c) => c.events.filter((e) => e.event === 'peak').length >= 2, 'a later peak');
    // The peak after the coins moves no id: the last id is the coin cursor.
    const ids = first.events.filter((e) => e.id !== null).map((e) => e.id);
    const coins = first.events.find((e) => e.event === 'coins');
    expect(ids.at(-1)).toBe(coins?.data.cursor);
    first.close();
    chain.addBlock({ create: [{ puzzle_hash: ph(1), amount: 3n }] });
    const second = new SseClient(`${base}/v1/events?puzzle_hashes=${ph(1)}`, { 'last-event-id': String(ids.at(-1)) });
    opened.push(second);
    await second.until((c) => c.events.some((e) => e.event === 'subscribed'), 'resumed');
    const model = new CoinModel();
    for (const e of [...first.events, ...second.events]) model.apply(e.data);
    expect(model.duplicates).toEqual([]);
    expect(model.lines()).toEqual(chainLines(chain.statesFor(keys)));
  });

  it('refuses bad keys and cursors with 400 before the stream starts', async () => {
    const { base } = await start();
    for (const query of [`puzzle_hashes=${toAddress(ph(1), addressPrefix('mainnet'))}`, 'coin_ids=0x12', `cursor=5-${'a'.repeat(64)}`, `puzzle_hashes=${ph(1)}&cursor=nope`]) {
      const res = await fetch(`${base}/v1/events?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'INVALID_PARAMETER' });
    }
  });
});
