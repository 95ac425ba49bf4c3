import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith } from '../../src/config/config.js';
import { OpsUpstreamDouble } from '../support/ops-upstream-double.js';

const PEAK_MAX_AGE_MS = 60_000;

let upstream: OpsUpstreamDouble;
let app: GatewayApp;

beforeEach(async () => {
  upstream = new OpsUpstreamDouble();
  app = await buildApp({ config: configWith({ logLevel: 'silent', peakMaxAgeMs: PEAK_MAX_AGE_MS }), upstream, logger: false });
  await app.ready();
});

afterEach(async () => {
  await app.close();
});

async function readyz() {
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  return { res, body: res.json<Record<string, unknown> & { checks: { missing_roles: string[]; links: { id: string; state: string }[] } }>() };
}

async function metricsText(): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return res.body;
}

/** The value of one sample line, e.g. sample(text, 'x_total{a="b"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/healthz', () => {
  it('answers 200 while the process runs, even with no ready link', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });
});

describe('/readyz', () => {
  it('is 503 problem+json naming both roles before any link is ready', async () => {
    const { res, body } = await readyz();
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(body).toMatchObject({ status: 503, code: 'NOT_READY', title: 'Not ready', instance: '/readyz' });
    expect(body.detail).toContain('no ready full_node or wallet link');
    expect(body.detail).toContain('no peak received yet');
    expect(body.checks).toEqual({ roles: { full_node: false, wallet: false }, missing_roles: ['full_node', 'wallet'], peak: null, links: [] });
    expect(typeof body.request_id).toBe('string');
  });

  it('names the one role still missing', async () => {
    upstream.setLink('full_node#1', 'full_node', 'ready');
    upstream.setLink('wallet#1', 'wallet', 'handshaking');
    upstream.setPeak(10);
    const { res, body } = await readyz();
    expect(res.statusCode).toBe(503);
    expect(body.checks.missing_roles).toEqual(['wallet']);
    expect(body.detail).toBe('not ready: no ready wallet link');
  });

  it('is 200 with a ready link per role and a fresh peak', async () => {
    upstream.makeReady(1234);
    const { res, body } = await readyz();
    expect(res.statusCode).toBe(200);
    expect(body).toMatchObject({ status: 'ready', checks: { roles: { full_node: true, wallet: true }, missing_roles: [], peak: { height: 1234, fresh: true } } });
  });

  it('only checks the configured roles', async () => {
    await app.close();
    upstream = new OpsUpstreamDouble('mainnet', ['wallet']);
    app = await buildApp({ config: configWith({ logLevel: 'silent', roles: ['wallet'] }), upstream, logger: false });
    upstream.makeReady();
    const { res, body } = await readyz();
    expect(res.statusCode).toBe(200);
    expect(body.checks).toMatchObject({ roles: { wallet: true } });
  });

  it('is 503 when the newest peak is older than the configured max age', async () => {
    upstream.makeReady(50);
    upstream.setPeak(51, Date.now() - PEAK_MAX_AGE_MS - 5_000);
    const { res, body } = await readyz();
    expect(res.statusCode).toBe(503);
    expect(body.detail).toMatch(/newest peak \(height 51\) was received \d+ s ago, over the 60 s limit/);
    expect(body.checks).toMatchObject({ missing_roles: [], peak: { height: 51, fresh: false } });
  });

  it('says why each missing role has no ready link: the trying links\' errors, or why every link is idle', async () => {
    const noPeers = 'no peers: DNS seeders unreachable; set CHIA_GATEWAY_PEERS';
    const retry = (cause: 'failed' | 'no_peer', reason: string) => ({ cause, at: Date.now() + 4_000, in_ms: 4_000, reason });
    upstream.setLink('full_node#1', 'full_node', 'idle', { peer: '', retry: retry('no_peer', noPeers) });
    upstream.setLink('wallet#1', 'wallet', 'reconnecting', { last_error: 'ECONNREFUSED', retry: retry('failed', 'backoff after 1 unsuccessful attempt in a row') });
    upstream.setLink('wallet#2', 'wallet', 'idle', { peer: '', retry: retry('no_peer', 'waiting for a peer: the only known peer is held by another wallet link') });
    const { body } = await readyz();
    expect(body.detail).toBe(
      `not ready: no ready full_node or wallet link (full_node#1 idle: ${noPeers}; wallet#1 reconnecting: 127.0.0.1:8444: ECONNREFUSED, next attempt in 4 s); no peak received yet`,
    );
    expect(body.checks.links.map((l) => [l.id, l.state])).toEqual([
      ['full_node#1', 'idle'],
      ['wallet#1', 'reconnecting'],
      ['wallet#2', 'idle'],
    ]);
  });

  it('follows link failures and recoveries', async () => {
    upstream.makeReady();
    expect((await readyz()).res.statusCode).toBe(200);
    upstream.setLink('full_node#1', 'full_node', 'reconnecting', { last_error: 'ECONNRESET' });
    const down = await readyz();
    expect(down.res.statusCode).toBe(503);
    expect(down.body.checks.missing_roles).toEqual(['full_node']);
    upstream.setLink('full_node#1', 'full_node', 'ready');
    expect((await readyz()).res.statusCode).toBe(200);
  });
});

describe('/metrics', () => {
  it('shows link states per role, zeros included, and follows transitions', async () => {
    upstream.setLink('full_node#1', 'full_node', 'ready');
    upstream.setLink('full_node#2', 'full_node', 'connecting');
    upstream.setLink('wallet#1', 'wallet', 'ready');
    let text = await metricsText();
    expect(sample(text, 'chia_gateway_upstream_links{role="full_node",state="ready"}')).toBe(1);
    expect(sample(text, 'chia_gateway_upstream_links{role="full_node",state="connecting"}')).toBe(1);
    expect(sample(text, 'chia_gateway_upstream_links{role="wallet",state="ready"}')).toBe(1);
    expect(sample(text, 'chia_gateway_upstream_links{role="wallet",state="reconnecting"}')).toBe(0);

    upstream.setLink('full_node#1', 'full_node', 'reconnecting');
    text = await metricsText();
    expect(sample(text, 'chia_gateway_upstream_links{role="full_node",state="ready"}')).toBe(0);
    expect(sample(text, 'chia_gateway_upstream_links{role="full_node",state="reconnecting"}')).toBe(1);
  });

  it('sums pacing queues per role, read at scrape time', async () => {
    upstream.setLink('full_node#1', 'full_node', 'ready', { queued: 3 });
    upstream.setLink('full_node#2', 'full_node', 'ready', { queued: 4 });
    expect(sample(await metricsText(), 'chia_gateway_pacing_queue_depth{role="full_node"}')).toBe(7);
    // A queue change without a state change is still seen by the next scrape.
    upstream.links.set('full_node#2', { ...upstream.links.get('full_node#2')!, queued: 0 });
    expect(sample(await metricsText(), 'chia_gateway_pacing_queue_depth{role="full_node"}')).toBe(3);
  });

  it('counts each upstream request exactly once, with its latency', async () => {
    upstream.emitRequest({ outcome: 'ok', duration_ms: 40 });
    upstream.emitRequest({ outcome: 'timeout', duration_ms: 30_000 });
    upstream.emitRequest({ role: 'wallet', message: 'request_block_headers', outcome: 'reject', duration_ms: 5 });
    const text = await metricsText();
    expect(sample(text, 'chia_gateway_upstream_requests_total{role="full_node",message="request_blocks",outcome="ok"}')).toBe(1);
    expect(sample(text, 'chia_gateway_upstream_requests_total{role="full_node",message="request_blocks",outcome="timeout"}')).toBe(1);
    expect(sample(text, 'chia_gateway_upstream_requests_total{role="wallet",message="request_block_headers",outcome="reject"}')).toBe(1);
    expect(sample(text, 'chia_gateway_upstream_request_seconds_count{role="full_node",message="request_blocks"}')).toBe(2);
    expect(sample(text, 'chia_gateway_upstream_request_seconds_sum{role="full_node",message="request_blocks"}')).toBeCloseTo(30.04);
  });

  it('counts a request refused by the pacing queue as outcome busy, with no latency: no peer was asked', async () => {
    upstream.emitRequest({ outcome: 'ok', duration_ms: 40 });
    upstream.emitRequest({ outcome: 'busy', duration_ms: 10_000 });
    const text = await metricsText();
    expect(sample(text, 'chia_gateway_upstream_requests_total{role="full_node",message="request_blocks",outcome="busy"}')).toBe(1);
    expect(sample(text, 'chia_gateway_upstream_requests_total{role="full_node",message="request_blocks",outcome="error"}')).toBeUndefined();
    expect(sample(text, 'chia_gateway_upstream_request_seconds_count{role="full_node",message="request_blocks"}')).toBe(1);
    expect(sample(text, 'chia_gateway_upstream_request_seconds_sum{role="full_node",message="request_blocks"}')).toBeCloseTo(0.04);
  });

  it('records HTTP latency by route template, with one label for unknown URLs', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/no/such/path/123' });
    await app.inject({ method: 'GET', url: '/no/such/path/456' });
    const text = await metricsText();
    expect(sample(text, 'chia_gateway_http_request_seconds_count{method="GET",route="/healthz",status="200"}')).toBe(2);
    expect(sample(text, 'chia_gateway_http_request_seconds_count{method="GET",route="unmatched",status="404"}')).toBe(2);
    expect(text).not.toContain('/no/such/path');
  });

  it('includes process metrics and stops listening to the upstream on close', async () => {
    expect(await metricsText()).toContain('chia_gateway_process_cpu_user_seconds_total');
    expect(upstream.listenerCount('request')).toBe(1);
    await app.close();
    expect(upstream.listenerCount('request')).toBe(0);
    expect(upstream.listenerCount('link')).toBe(0);
  });
});
