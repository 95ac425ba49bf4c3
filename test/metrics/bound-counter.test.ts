import { describe, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { BoundCounter } from '../../src/metrics/bound-counter.js';

const CONFIG = { name: 'lookups_total', help: 'Lookups', labelNames: ['kind', 'result'] as const };

describe('BoundCounter', () => {
  it('exposes what a plain Counter would, counted through bound children', async () => {
    const fast = new Registry();
    const plain = new Registry();
    const bound = new BoundCounter({ ...CONFIG, registers: [fast] });
    const reference = new Counter({ ...CONFIG, registers: [plain] });
    const hit = bound.bind({ kind: 'full', result: 'hit' });
    const miss = bound.bind({ kind: 'full', result: 'miss' });
    for (let i = 0; i < 3; i++) hit.inc();
    miss.inc();
    reference.inc({ kind: 'full', result: 'hit' }, 3);
    reference.inc({ kind: 'full', result: 'miss' });
    expect(await fast.metrics()).toBe(await plain.metrics());
    // Counted again after a read: the flushed counts are not added twice.
    hit.inc();
    reference.inc({ kind: 'full', result: 'hit' });
    expect(await fast.metrics()).toBe(await plain.metrics());
  });

  it('forgets pending counts on reset', async () => {
    const bound = new BoundCounter({ ...CONFIG, registers: [] });
    bound.bind({ kind: 'header', result: 'hit' }).inc();
    bound.reset();
    expect((await bound.get()).values).toEqual([]);
  });
});
