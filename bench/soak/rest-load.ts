/**
 * Mixed REST load: workers that each loop over a weighted mix of valid reads (blocks, ranges, headers,
 * coin lists, the peak, operations endpoints) and invalid requests, at a steady pace.
 */
import { problemCode, send } from './http-client.js';
import type { Tally } from './tally.js';

interface Pick {
  weight: number;
  /** Path and options for a chain of height `peak`; clientFault marks a request that must get a 4xx. */
  make: (peak: number) => { path: string; method?: string; headers?: Record<string, string>; clientFault: boolean };
}

const RANGE = 20;
const randomHeight = (peak: number) => Math.floor(Math.random() * (peak + 1));

const MIX: Pick[] = [
  { weight: 30, make: (p) => ({ path: `/v1/blocks/${randomHeight(p)}`, clientFault: false }) },
  { weight: 8, make: (p) => ({ path: `/v1/blocks/${randomHeight(p)}`, headers: { accept: 'application/octet-stream' }, clientFault: false }) },
  { weight: 10, make: (p) => rangeOf('/v1/blocks', p) },
  { weight: 12, make: (p) => ({ path: `/v1/blocks/${randomHeight(p)}/header`, clientFault: false }) },
  { weight: 6, make: (p) => rangeOf('/v1/headers', p) },
  { weight: 5, make: (p) => ({ path: `/v1/blocks/${randomHeight(p)}/additions`, clientFault: false }) },
  { weight: 5, make: (p) => ({ path: `/v1/blocks/${randomHeight(p)}/removals`, clientFault: false }) },
  { weight: 8, make: () => ({ path: '/v1/peak', clientFault: false }) },
  { weight: 2, make: () => ({ path: '/v1/status', clientFault: false }) },
  { weight: 2, make: () => ({ path: '/healthz', clientFault: false }) },
  { weight: 2, make: () => ({ path: '/readyz', clientFault: false }) },
  { weight: 1, make: () => ({ path: '/metrics', clientFault: false }) },
  // Invalid requests: each must be a 4xx, whatever the peers do.
  { weight: 2, make: () => ({ path: '/v1/blocks/abc', clientFault: true }) },
  { weight: 1, make: () => ({ path: '/v1/blocks/99999999999', clientFault: true }) },
  { weight: 1, make: (p) => ({ path: `/v1/blocks/${p + 1_000}`, clientFault: true }) },
  { weight: 1, make: () => ({ path: '/v1/blocks?start=9&end=3', clientFault: true }) },
  { weight: 1, make: () => ({ path: '/v1/blocks?start=0&end=500', clientFault: true }) },
  { weight: 1, make: () => ({ path: '/v1/blocks/1?ints=bogus', clientFault: true }) },
  { weight: 1, make: () => ({ path: '/v1/blocks/1', headers: { accept: 'image/png' }, clientFault: true }) },
  { weight: 1, make: () => ({ path: '/v1/blocks/1', method: 'POST', clientFault: true }) },
  { weight: 1, make: () => ({ path: '/v1/nowhere', clientFault: true }) },
];
const TOTAL_WEIGHT = MIX.reduce((sum, p) => sum + p.weight, 0);

function rangeOf(prefix: string, peak: number) {
  const start = Math.max(0, randomHeight(peak) - RANGE);
  return { path: `${prefix}?start=${start}&end=${Math.min(start + 1 + Math.floor(Math.random() * RANGE), peak + 1)}`, clientFault: false };
}

function pick(): Pick {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const p of MIX) {
    r -= p.weight;
    if (r < 0) return p;
  }
  return MIX[0]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `workers` request loops until `until` returns false, each pausing `pauseMs` between requests. */
export async function restLoad(base: URL, tally: Tally, options: { workers: number; pauseMs: number; peak: () => number; running: () => boolean }): Promise<void> {
  const worker = async () => {
    while (options.running()) {
      const { path, method, headers, clientFault } = pick().make(options.peak());
      const what = `${method ?? 'GET'} ${path}`;
      try {
        const answer = await send(base, path, { method, headers });
        tally.add('rest:requests');
        tally.http(what, answer.status, problemCode(answer), clientFault);
      } catch (err) {
        tally.fail('REST request failed without an answer', `${what}: ${(err as Error).message}`);
      }
      await sleep(options.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
}
