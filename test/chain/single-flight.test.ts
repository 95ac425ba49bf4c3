import { describe, expect, it } from 'vitest';
import { clientKey, type OnBehalfOf } from '../../src/chia/link/on-behalf-of.js';
import { SingleFlight } from '../../src/chain/single-flight.js';

describe('SingleFlight', () => {
  it('runs one call for concurrent identical keys and shares its result', async () => {
    const flight = new SingleFlight<number>();
    let calls = 0;
    let release!: (v: number) => void;
    const fn = () => {
      calls++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const results = Promise.all(Array.from({ length: 1_000 }, () => flight.run('k', fn)));
    await Promise.resolve();
    expect(flight.size).toBe(1);
    release(42);
    expect(await results).toEqual(Array(1_000).fill(42));
    expect(calls).toBe(1);
    expect(flight.size).toBe(0);
  });

  it('keeps different keys apart and starts afresh once a call settled', async () => {
    const flight = new SingleFlight<string>();
    let calls = 0;
    const fn = async (v: string) => (calls++, v);
    expect(await Promise.all([flight.run('a', () => fn('a')), flight.run('b', () => fn('b'))])).toEqual(['a', 'b']);
    expect(await flight.run('a', () => fn('a2'))).toBe('a2');
    expect(calls).toBe(3);
  });

  it('shares a rejection and forgets the key, even when fn throws synchronously', async () => {
    const flight = new SingleFlight<number>();
    const boom = () => {
      throw new Error('boom');
    };
    const a = flight.run('k', boom);
    const b = flight.run('k', boom);
    await expect(a).rejects.toThrow('boom');
    await expect(b).rejects.toThrow('boom');
    expect(flight.size).toBe(0);
    expect(await flight.run('k', async () => 1)).toBe(1);
  });

  it('makes the call on behalf of its first caller, and each later caller joins it', async () => {
    const flight = new SingleFlight<number>();
    const [a, b] = [clientKey('192.0.2.1'), clientKey('192.0.2.2')];
    let release!: (v: number) => void;
    let clients: unknown[] = [];
    let joins = 0;
    const fn = (onBehalfOf: OnBehalfOf) => {
      clients = [...onBehalfOf.clients];
      onBehalfOf.onJoin(() => joins++);
      return new Promise<number>((resolve) => (release = resolve));
    };
    const first = flight.run('k', fn, a);
    expect(clients).toEqual([a]);
    const later = [flight.run('k', fn, b), flight.run('k', fn, a), flight.run('k', fn)];
    // Only a client not yet served is news to the pacing queue.
    expect(joins).toBe(1);
    release(7);
    expect(await Promise.all([first, ...later])).toEqual([7, 7, 7, 7]);
  });
});
