/**
 * Who an upstream request is made for, so that the pacing queue (rate-limiter.ts) can share each
 * link's budget fairly between the gateway's clients. The layer that serves clients names them (the
 * REST layer: by IP); the core only compares the names. One request can serve several clients: when
 * the layer that coalesces identical requests lets another client share a pending one, it joins it
 * here, and a waiting request then takes the turn of whichever of its clients is due first, so a
 * request shared with a light client is not held back by a heavy one.
 */

/** A client of the gateway as the serving layer identifies it (the REST layer: `request.ip`). */
export type ClientKey = string & { readonly __clientKey: unique symbol };

/** The key of a client identified by `id` (an IP address for the REST layer). */
export function clientKey(id: string): ClientKey {
  return id as ClientKey;
}

export class OnBehalfOf {
  readonly #clients = new Set<ClientKey>();
  readonly #listeners = new Set<() => void>();

  /** A request made for `client`; without one it is the gateway's own (not held to a client's share). */
  constructor(client?: ClientKey) {
    if (client !== undefined) this.#clients.add(client);
  }

  /** The clients the request serves; empty for the gateway's own requests. */
  get clients(): ReadonlySet<ClientKey> {
    return this.#clients;
  }

  /** Adds a client whose identical request shares this one; a waiting request is reconsidered at once. */
  join(client: ClientKey | undefined): void {
    if (client === undefined || this.#clients.has(client)) return;
    this.#clients.add(client);
    for (const listener of [...this.#listeners]) listener();
  }

  /** Calls `listener` whenever a client joins; returns the function that stops it. */
  onJoin(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
