/** Counters of what the soak saw, by name, and a classification of HTTP answers. */

/** Problem codes a 5xx may carry when the cause is upstream (peers dropped, pacing), not the client. */
const UPSTREAM_CODES = new Set([
  'UPSTREAM_INVALID_REPLY',
  'UPSTREAM_FAILED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BUSY',
  'NO_READY_LINK',
  'NO_PEAK',
  'COINS_REFUSED',
  'NOT_READY',
]);

export class Tally {
  readonly counts = new Map<string, number>();
  /** Examples of failures, a few per kind, for the report. */
  readonly examples = new Map<string, string[]>();

  add(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /** Counts a failure under `failure:<kind>`, keeping up to three examples. */
  fail(kind: string, example: string): void {
    this.add(`failure:${kind}`);
    const list = this.examples.get(kind) ?? [];
    if (list.length < 3) list.push(example);
    this.examples.set(kind, list);
  }

  failures(): number {
    let n = 0;
    for (const [name, count] of this.counts) if (name.startsWith('failure:')) n += count;
    return n;
  }

  /**
   * Records one HTTP answer. `clientFault` marks a request that is wrong whatever the peers do (it must
   * get a 4xx). A 5xx is a failure unless its code says the upstream caused it and the request was valid.
   */
  http(what: string, status: number, code: string | undefined, clientFault: boolean): void {
    this.add(`http:${Math.floor(status / 100)}xx`);
    if (status < 500) {
      if (clientFault && status < 400) this.fail('bad request answered 2xx/3xx', `${what} → ${status}`);
      return;
    }
    if (!clientFault && code !== undefined && UPSTREAM_CODES.has(code)) {
      this.add(`http:5xx upstream ${code}`);
      return;
    }
    this.fail('5xx caused by a client', `${what} → ${status} ${code ?? ''}`);
  }
}
