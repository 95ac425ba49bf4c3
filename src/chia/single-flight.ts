/**
 * Coalesces identical concurrent calls: while a call for a key is in flight, later callers with the
 * same key share its promise instead of starting another upstream request.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** Runs `fn` for `key` unless a call for `key` is already pending, in which case its result is shared. */
  run(key: string, fn: () => Promise<T>): Promise<T> {
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    // fn starts a microtask later, so the entry exists before fn can settle (even synchronously).
    const promise = Promise.resolve()
      .then(fn)
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  /** Keys with a call in flight. */
  get size(): number {
    return this.#inFlight.size;
  }
}
