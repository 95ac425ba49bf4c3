/**
 * Coalesces identical concurrent calls: while a call for a key is in flight, later callers with the
 * same key share its promise instead of starting another upstream request, and join the clients it
 * is made for (on-behalf-of.ts), so the shared request takes the pacing turn of the least served.
 */
import { OnBehalfOf, type ClientKey } from '../chia/index.js';

interface Flight<T> {
  promise: Promise<T>;
  onBehalfOf: OnBehalfOf;
}

export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Flight<T>>();

  /**
   * Runs `fn` for `key`, on behalf of `client`, unless a call for `key` is already pending, in which
   * case its result is shared and `client` joins the clients it serves.
   */
  run(key: string, fn: (onBehalfOf: OnBehalfOf) => Promise<T>, client?: ClientKey): Promise<T> {
    const pending = this.#inFlight.get(key);
    if (pending) {
      pending.onBehalfOf.join(client);
      return pending.promise;
    }
    const onBehalfOf = new OnBehalfOf(client);
    // fn starts now (a caller may count its upstream request at once); `finally` runs a microtask
    // later at the earliest, so the entry exists before it is deleted, even when fn throws.
    let started: Promise<T>;
    try {
      started = fn(onBehalfOf);
    } catch (error) {
      started = Promise.reject(error);
    }
    const promise = started.finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, { promise, onBehalfOf });
    return promise;
  }

  /** Keys with a call in flight. */
  get size(): number {
    return this.#inFlight.size;
  }
}
