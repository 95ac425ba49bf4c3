/**
 * Per-IP bans of the fake node, kept like the real node's (PROTOCOL.md §a.5, §i.4): a banned IP gets
 * HTTP 403 on the WebSocket upgrade until the ban expires. Every ban is also recorded for assertions.
 */
import { RATE_LIMITER_BAN_MS, SHORT_BAN_MS } from '../src/chia/protocol/limits.js';

export interface BanRecord {
  ip: string;
  /** Ban length the real node would apply, in seconds (§i.4). */
  seconds: number;
  /** Epoch ms when the (possibly scaled) ban ends. */
  until: number;
  /** What earned it, e.g. `rate_limit:request_blocks` or `node_type:request_block`. */
  reason: string;
  at: number;
}

const MS_PER_SECOND = 1_000;

/** Ban lengths of the reference node, in seconds as it records them (§i.4; the values are in limits.ts). */
export const BAN_SECONDS = {
  invalidProtocol: SHORT_BAN_MS / MS_PER_SECOND,
  apiException: SHORT_BAN_MS / MS_PER_SECOND,
  rateLimit: RATE_LIMITER_BAN_MS / MS_PER_SECOND,
  messageTooBig: RATE_LIMITER_BAN_MS / MS_PER_SECOND,
} as const;

export class BanList {
  readonly records: BanRecord[] = [];
  readonly #until = new Map<string, number>();

  /** `scale` multiplies every ban length (tests shrink them together with the rate-limit window). */
  constructor(private readonly scale: number) {}

  /** Bans `ip` for `seconds` (scaled); a longer existing ban is kept. */
  ban(ip: string, seconds: number, reason: string): BanRecord {
    const at = Date.now();
    const until = at + seconds * 1000 * this.scale;
    this.#until.set(ip, Math.max(until, this.#until.get(ip) ?? 0));
    const record = { ip, seconds, until, reason, at };
    this.records.push(record);
    return record;
  }

  /** True while `ip` is banned. */
  isBanned(ip: string): boolean {
    const until = this.#until.get(ip);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.#until.delete(ip);
    return false;
  }

  /** Lifts the ban of one IP, or of every IP (the records stay). */
  unban(ip?: string): void {
    if (ip === undefined) this.#until.clear();
    else this.#until.delete(ip);
  }
}
