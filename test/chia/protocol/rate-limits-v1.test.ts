/**
 * The v1 table against PROTOCOL.md §h.1 itself (parsed from docs/PROTOCOL.md), and the limiter's
 * switch from one table to the other before its first paced send.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkHandshake } from '../../../src/chia/protocol/handshake.js';
import { decodeFrame, encodeMessage } from '../../../src/chia/codec/index.js';
import { RateLimiter } from '../../../src/chia/link/rate-limiter.js';
import { limitsFor, rateLimitOf, RATE_LIMITS_V1, RATE_LIMITS_V2, type RateLimit } from '../../../src/chia/protocol/rate-limits.js';
import { REPO_ROOT } from '../../../fixtures/files.js';

const UNIT: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 1024 * 1024 };

function bytes(text: string): number {
  const match = /^(\d+) (B|KiB|MiB)$/.exec(text.trim());
  if (!match) throw new Error(`not a size: "${text}"`);
  return Number(match[1]) * UNIT[match[2]!]!;
}

interface DocRow {
  name: string;
  v2: RateLimit;
  /** The last column, when v1 differs. */
  v1: RateLimit | null;
}

/** "v1: agg, 500, 1 MiB, total 10 MiB" → the v1 limit (a missing total is count × max_size, §h.1). */
function parseV1(text: string): RateLimit {
  const parts = text.replace(/^v1:\s*/, '').split(',').map((p) => p.trim());
  const aggregate = parts[0] === 'agg';
  const [count, size, total] = aggregate ? parts.slice(1) : parts;
  const frequency = Number(count);
  const maxSize = bytes(size!);
  return { aggregate, frequency, maxSize, maxTotal: total === undefined ? frequency * maxSize : bytes(total.replace(/^total /, '')) };
}

/** The message rows of the §h.1 table. */
function docRows(): DocRow[] {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'PROTOCOL.md'), 'utf8');
  const start = text.indexOf('| message (id) | aggregate |');
  if (start < 0) throw new Error('§h.1 table not found in PROTOCOL.md');
  const rows: DocRow[] = [];
  for (const line of text.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const name = /^(\w+) \(\d+\)$/.exec(cells[0] ?? '')?.[1];
    if (name === undefined) continue; // a section heading row
    const [, agg, count, maxSize, maxTotal, , v1] = cells as [string, string, string, string, string, string, string];
    const frequency = count === 'unlimited' ? null : Number(count);
    rows.push({
      name,
      v2: { aggregate: agg === 'yes', frequency, maxSize: bytes(maxSize), maxTotal: maxTotal === '—' ? null : bytes(maxTotal) },
      v1: v1 === '' ? null : parseV1(v1),
    });
  }
  return rows;
}

describe('v1 rate-limit table (PROTOCOL.md §h.1)', () => {
  const rows = docRows();

  it('covers exactly the messages of the documented table', () => {
    expect(rows.length).toBeGreaterThan(70);
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(RATE_LIMITS_V2).sort());
    expect(Object.keys(RATE_LIMITS_V1).sort()).toEqual(Object.keys(RATE_LIMITS_V2).sort());
  });

  it('holds the documented v2 values', () => {
    for (const row of rows) expect(RATE_LIMITS_V2[row.name as keyof typeof RATE_LIMITS_V2], row.name).toEqual(row.v2);
  });

  it('holds the last column where v1 differs, and the v2 value everywhere else', () => {
    const differing = rows.filter((r) => r.v1 !== null);
    // request_block_header … respond_ses_hashes: the wallet messages of the table's last column.
    expect(differing.length).toBe(19);
    for (const row of rows) {
      const v1 = RATE_LIMITS_V1[row.name as keyof typeof RATE_LIMITS_V1];
      expect(v1, row.name).toEqual(row.v1 ?? row.v2);
    }
  });

  it('is stricter for the wallet requests a gateway sends', () => {
    expect(RATE_LIMITS_V1.request_additions).toEqual({ aggregate: true, frequency: 500, maxSize: 1024 * 1024, maxTotal: 10 * 1024 * 1024 });
    expect(RATE_LIMITS_V1.request_block_header).toEqual({ aggregate: true, frequency: 500, maxSize: 100, maxTotal: 50_000 });
    expect(RATE_LIMITS_V1.request_header_blocks.frequency).toBe(500);
    expect(RATE_LIMITS_V2.request_header_blocks.frequency).toBe(5_000);
    expect(RATE_LIMITS_V1.request_block_headers).toEqual(RATE_LIMITS_V2.request_block_headers);
  });

  it('is looked up by name per table, v2 by default', () => {
    expect(limitsFor(true)).toBe(RATE_LIMITS_V2);
    expect(limitsFor(false)).toBe(RATE_LIMITS_V1);
    expect(rateLimitOf('request_additions')?.frequency).toBe(50_000);
    expect(rateLimitOf('request_additions', RATE_LIMITS_V1)?.frequency).toBe(500);
    expect(rateLimitOf('toString', RATE_LIMITS_V1)).toBeUndefined();
    expect(rateLimitOf('no_such_message', RATE_LIMITS_V1)).toBeUndefined();
  });
});

describe('choosing the table from the handshake', () => {
  const reply = (capabilities: [number, string][]) =>
    decodeFrame(encodeMessage('handshake', { network_id: 'mainnet', protocol_version: '0.0.38', software_version: '2.7.3', server_port: 8444, node_type: 1, capabilities }, null));

  it('gets v2 only when the node lists RATE_LIMITS_V2 (3) with "1", as we always do', () => {
    expect(checkHandshake(reply([[1, '1'], [3, '1']]), 'mainnet')).toMatchObject({ ok: true, v2Limits: true });
    expect(checkHandshake(reply([[1, '1'], [5, '1']]), 'mainnet')).toMatchObject({ ok: true, v2Limits: false });
    expect(checkHandshake(reply([]), 'mainnet')).toMatchObject({ ok: true, v2Limits: false });
  });
});

describe('RateLimiter.useLimits', () => {
  const v1 = (name: string) => rateLimitOf(name, RATE_LIMITS_V1);

  it('switches the ceilings before the first paced send, keeping the recorded handshake', async () => {
    const limiter = new RateLimiter({ share: 0.6, queueSize: 10, windowMs: 60_000 });
    limiter.record('handshake', 200);
    expect(limiter.ceiling('request_additions')).toBe(30_000);
    limiter.useLimits(v1);
    expect(limiter.ceiling('request_additions')).toBe(300);
    expect(limiter.ceiling('request_puzzle_solution')).toBe(600);
    (await limiter.acquire('request_additions', 50))();
    limiter.close(new Error('done'));
  });

  afterEach(() => void vi.useRealTimers());

  it('paces by the new table: v1 allows 300 request_additions a window at 60 %, then queues', async () => {
    vi.useFakeTimers();
    const limiter = new RateLimiter({ share: 0.6, queueSize: 10, windowMs: 60_000, guardMs: 0 });
    limiter.useLimits(v1);
    for (let i = 0; i < 300; i++) (await limiter.acquire('request_additions', 50))();
    let granted = false;
    const waiting = limiter.acquire('request_additions', 50).then((release) => ((granted = true), release));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(granted).toBe(false);
    expect(limiter.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1_001);
    (await waiting)();
    expect(granted).toBe(true);
  });

  it('counts v1 request_additions towards the aggregate window (60 % of 1,000)', async () => {
    vi.useFakeTimers();
    const limiter = new RateLimiter({ share: 0.6, queueSize: 10, windowMs: 60_000, guardMs: 0 });
    limiter.useLimits(v1);
    // 300 request_additions + 300 request_puzzle_solution fill the aggregate share (600): another
    // aggregate type must then wait, far below its own ceiling (request_coin_state: 600).
    for (let i = 0; i < 300; i++) (await limiter.acquire('request_additions', 50))();
    for (let i = 0; i < 300; i++) (await limiter.acquire('request_puzzle_solution', 36))();
    const blocked = limiter.acquire('request_coin_state', 50);
    await vi.advanceTimersByTimeAsync(1);
    expect(limiter.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    (await blocked)();
  });

  it('refuses to switch once a send was paced, or when a recorded message has other limits', async () => {
    const paced = new RateLimiter({ share: 0.6, queueSize: 10 });
    (await paced.acquire('request_block_header', 10))();
    expect(() => paced.useLimits(v1)).toThrow(/before the first paced send/);
    const recorded = new RateLimiter({ share: 0.6, queueSize: 10 });
    recorded.record('request_additions', 10);
    expect(() => recorded.useLimits(v1)).toThrow(/request_additions/);
  });
});
