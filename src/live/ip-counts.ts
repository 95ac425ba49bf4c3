/**
 * Live connections held per client address (request.ip), for the per-IP cap (ws.maxClientsPerIp).
 * An address whose count drops to zero is forgotten, so the map only ever holds connected addresses.
 */
export class IpCounts {
  readonly #counts = new Map<string, number>();

  /** Connections `ip` holds now. */
  get(ip: string): number {
    return this.#counts.get(ip) ?? 0;
  }

  /** Counts one more connection from `ip`. */
  add(ip: string): void {
    this.#counts.set(ip, this.get(ip) + 1);
  }

  /** Counts one connection from `ip` less; callers make sure each add is removed once. */
  remove(ip: string): void {
    const left = this.get(ip) - 1;
    if (left > 0) this.#counts.set(ip, left);
    else this.#counts.delete(ip);
  }
}
