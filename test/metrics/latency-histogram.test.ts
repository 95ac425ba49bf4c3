import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { HttpLatencyHistogram } from '../../src/metrics/latency-histogram.js';

const config = {
  name: 'test_http_request_seconds',
  help: 'HTTP request latency by route and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.01, 0.1, 1],
};
const observations: [string, string, string, number][] = [
  ['GET', '/v1/blocks/:height', '200', 0.0004],
  ['GET', '/v1/blocks/:height', '200', 0.001],
  ['GET', '/v1/blocks/:height', '200', 0.05],
  ['GET', '/v1/blocks/:height', '304', 2],
  ['HEAD', 'unmatched', '404', 0.01],
];

async function exposition(record: (registry: Registry) => void): Promise<string> {
  const registry = new Registry();
  record(registry);
  return registry.metrics();
}

describe('HttpLatencyHistogram', () => {
  it('exports exactly what a plain prom-client Histogram exports for the same observations', async () => {
    const plain = await exposition((registry) => {
      const histogram = new Histogram({ ...config, registers: [registry] });
      for (const [method, route, status, seconds] of observations) histogram.observe({ method, route, status }, seconds);
    });
    const cheap = await exposition((registry) => {
      const histogram = new HttpLatencyHistogram({ ...config, registers: [registry] });
      for (const [method, route, status, seconds] of observations) histogram.series(method, route, status).observe(seconds);
    });
    expect(cheap).toBe(plain);
  });

  it('returns the same series for the same labels, and reset zeroes it', async () => {
    const registry = new Registry();
    const histogram = new HttpLatencyHistogram({ ...config, registers: [registry] });
    const series = histogram.series('GET', '/x', '200');
    expect(histogram.series('GET', '/x', '200')).toBe(series);
    series.observe(0.5);
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('test_http_request_seconds_count{method="GET",route="/x",status="200"} 0');
    series.observe(0.5);
    expect(await registry.metrics()).toContain('test_http_request_seconds_count{method="GET",route="/x",status="200"} 1');
  });
});
