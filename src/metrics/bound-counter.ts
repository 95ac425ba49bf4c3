/**
 * A Prometheus counter that is cheap to count on the hot path. prom-client's Counter validates and
 * hashes the label set on every inc, even through a child of labels() (a cost each cached block
 * served paid on its cache lookup); a child of bind() adds to a plain number instead, which is
 * flushed into the counter whenever the counter is read (a scrape). Same exposition as a Counter.
 */
import { Counter, type LabelValues, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** A counter child for one label set. */
export interface CountingChild {
  inc(): void;
}

export class BoundCounter<T extends string> extends Counter<T> {
  readonly #children: { labels: LabelValues<T>; pending: number }[] = [];

  /** A child counting `labels`; callers keep it (no lookup per count). */
  bind(labels: LabelValues<T>): CountingChild {
    const child = { labels, pending: 0 };
    this.#children.push(child);
    return {
      inc: () => {
        child.pending++;
      },
    };
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    for (const child of this.#children) {
      if (child.pending === 0) continue;
      this.inc(child.labels, child.pending);
      child.pending = 0;
    }
    return super.get();
  }

  override reset(): void {
    super.reset();
    // Metric's constructor calls reset() before this class's fields exist.
    if (!(#children in this)) return;
    for (const child of this.#children) child.pending = 0;
  }
}
