import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../src/chia/single-flight.js';

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
});
