/**
 * The shared level's counting over a real redis-server: one count per load, however often it reads
 * Redis (before its lock, under it, while waiting for another replica's load), and what each path counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLevel } from '../../src/chain/shared-level.js';
import { redisTestsRun, startRedis, type RedisServer } from '../support/redis-server.js';
import { eventually } from '../support/eventually.js';

const run = redisTestsRun('Shared level counting tests');
const TIMEOUT_MS = 250;
const LOCK_MS = 5_000;

describe.runIf(run)('shared level counting', () => {
  let redis: RedisServer;
  let level: RedisLevel;
  /** What the metrics callback saw. */
  const counted: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    level = new RedisLevel({ url: redis.url, network: 'devnet', timeoutMs: TIMEOUT_MS, lockMs: LOCK_MS, onCount: (r) => counted.push(r) });
    await eventually('the level up', () => level.stats().state === 'up');
  });

  afterAll(async () => {
    await level?.close();
    await redis?.stop();
  });

  /** Reads `key` as the block cache does: undefined on a miss. */
  const reader = (key: string) => async () => (await level.read([key]))?.[0]?.toString() ?? undefined;
  const write = (key: string) => (value: string) => level.write([[key, Buffer.from(value)]]);
  const delta = async (action: () => Promise<unknown>) => {
    const before = level.stats();
    const seen = counted.length;
    await action();
    const after = level.stats();
    return { hits: after.hits - before.hits, misses: after.misses - before.misses, lockWaits: after.lock_waits - before.lock_waits, callbacks: counted.slice(seen) };
  };

  it('a miss that loads under the lock counts one miss, although it read Redis twice', async () => {
    const key = level.key('t', 1);
    let reads = 0;
    const read = reader(key);
    const counts = await delta(() => level.through('t:1', () => (reads++, read()), async () => 'one', write(key)));
    expect(reads).toBe(2);
    expect(counts).toEqual({ hits: 0, misses: 1, lockWaits: 0, callbacks: ['miss'] });
  });

  it('a value already there counts one hit', async () => {
    const key = level.key('t', 1);
    await eventually('the value written', async () => (await reader(key)()) === 'one');
    const counts = await delta(() => level.through('t:1', reader(key), async () => 'never', write(key)));
    expect(counts).toEqual({ hits: 1, misses: 0, lockWaits: 0, callbacks: ['hit'] });
  });

  it('a load waiting for another replica counts one hit, however many times it polled', async () => {
    const key = level.key('t', 2);
    // Another replica holds the lock and writes the value after a few polls.
    expect(await redis.command(`SET ${level.key('lock', 't:2')} other PX ${LOCK_MS}`)).toBe('+OK\r\n');
    let reads = 0;
    const read = reader(key);
    const waiting = delta(() => level.through('t:2', () => (reads++, read()), async () => 'never', write(key)));
    await eventually('a few polls', () => reads >= 3);
    expect(await redis.command(`SET ${key} theirs`)).toBe('+OK\r\n');
    expect(await waiting).toEqual({ hits: 1, misses: 0, lockWaits: 1, callbacks: ['hit'] });
  });

  it('a holder that released without the value: the waiter loads it itself, one miss', async () => {
    const key = level.key('t', 3);
    const lock = level.key('lock', 't:3');
    expect(await redis.command(`SET ${lock} other PX ${LOCK_MS}`)).toBe('+OK\r\n');
    let reads = 0;
    const read = reader(key);
    const waiting = delta(() => level.through('t:3', () => (reads++, read()), async () => 'mine', write(key)));
    await eventually('a few polls', () => reads >= 3);
    expect(await redis.command(`DEL ${lock}`)).toBe(':1\r\n');
    expect(await waiting).toEqual({ hits: 0, misses: 1, lockWaits: 1, callbacks: ['miss'] });
  });
});
