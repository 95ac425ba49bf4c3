/**
 * HTTP request latency as a Prometheus histogram that is cheap to record on the hot path. prom-client's
 * Histogram validates and hashes the label set on every observe, even through a bound child (several
 * µs per request, the largest app-wide cost of a cached GET); this subclass keeps each series' bucket
 * counts in a typed array and renders them only when scraped. Same name, help, labels, buckets and
 * exposition as a plain Histogram.
 */
import { Histogram, type HistogramConfiguration, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';

export type HttpLatencyLabel = 'method' | 'route' | 'status';
/** The exported label names: a series' own, plus `le` on its buckets. */
type ExportedLabel = HttpLatencyLabel | 'le';

/** One (method, route, status) series: bucket counts, not cumulative (the last slot counts values above every bound). */
export class LatencySeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<HttpLatencyLabel, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one request's latency in seconds. */
  observe(seconds: number): void {
    const { bounds } = this;
    let bucket = 0;
    while (bucket < bounds.length && seconds > (bounds[bucket] ?? Infinity)) bucket++;
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.sum += seconds;
    this.count++;
  }
}

export class HttpLatencyHistogram extends Histogram<ExportedLabel> {
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, LatencySeries>();
  readonly #name: string;
  /** An unregistered, never observed plain Histogram of the same configuration: it supplies the metric's type and aggregator. */
  readonly #shape: Histogram<HttpLatencyLabel>;

  constructor(config: HistogramConfiguration<HttpLatencyLabel> & { buckets: number[] }) {
    super(config);
    this.#name = config.name;
    this.#shape = new Histogram({ ...config, registers: [] });
    this.#bounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** The series of a method, route and status, created on first use; callers keep it (no lookup per request). */
  series(method: string, route: string, status: string): LatencySeries {
    const key = `${method}\u0000${route}\u0000${status}`;
    let found = this.#series.get(key);
    if (found === undefined) this.#series.set(key, (found = new LatencySeries({ method, route, status }, this.#bounds)));
    return found;
  }

  override reset(): void {
    super.reset();
    // Histogram's constructor calls reset() before this class's fields exist.
    if (!(#series in this)) return;
    for (const series of this.#series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<ExportedLabel>>> {
    const shape = await this.#shape.get();
    const values: MetricValueWithName<ExportedLabel>[] = [];
    const bucketName = `${this.#name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i] ?? 0;
        values.push({ metricName: bucketName, labels: { le, ...series.labels }, value: cumulative });
      });
      values.push(
        { metricName: bucketName, labels: { le: '+Inf', ...series.labels }, value: series.count },
        { metricName: `${this.#name}_sum`, labels: { ...series.labels }, value: series.sum },
        { metricName: `${this.#name}_count`, labels: { ...series.labels }, value: series.count },
      );
    }
    return { ...shape, values };
  }

  /** The registry renders text from this when present (prom-client's Histogram defines it too). */
  getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<ExportedLabel>>> {
    return this.get();
  }
}
