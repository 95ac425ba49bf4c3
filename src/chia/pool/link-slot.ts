/**
 * One managed link position of a role (`full_node#1`): it holds at most one PeerLink at a time and
 * replaces it when it closes. Its status machine is the ioredis one, plus `idle`:
 * connecting → handshaking → ready → reconnecting → connecting … → closed, emitted on each change;
 * `idle` when no peer is free for it (none known, or all held by its siblings), which is no failure.
 *
 * Backoff is per link and per cause: a failure or a refusal without a ban (a close right after the
 * handshake: full slots, §a.5) retries this link after a growing delay, which restarts only once a
 * link has worked; a ban the node announced (HTTP 403, or a close that implies one, PROTOCOL.md §i.4)
 * is recorded in the peer pool, which keeps every link of every role away from that node until it
 * ends, while this link looks for another peer at once.
 */
import { EventEmitter } from 'node:events';
import type { UpstreamError } from '../errors.js';
import type { BackoffStrategy } from './backoff.js';
import type { Logger } from '../logger.js';
import type { PeerLink } from '../link/peer-link.js';
import type { PeerChoice } from './peer-pool.js';
import type { IncomingFrame } from '../link/request-map.js';
import type { LinkState, PeerAddress, RetryCause, Role } from '../upstream-api.js';

export interface SlotEvents {
  state: [state: LinkState];
  notification: [frame: IncomingFrame, link: PeerLink];
}

export interface SlotDeps {
  role: Role;
  id: string;
  /** The next peer to try, or when to look again and why (see PeerPool.choosePeer). */
  choosePeer: (slot: LinkSlot) => PeerChoice;
  /** Records that the node at `peer` banned our IP for `banMs` (null: it did not say how long). */
  ban: (peer: PeerAddress, banMs: number | null, reason: string) => void;
  createLink: (peer: PeerAddress, role: Role) => PeerLink;
  backoff: BackoffStrategy;
  logger: Logger;
}

/** Why a waiting slot waits, and until when (epoch ms). */
export interface SlotRetry {
  cause: RetryCause;
  at: number;
  reason: string;
}

export class LinkSlot extends EventEmitter<SlotEvents> {
  state: LinkState = 'connecting';
  since = Date.now();
  link: PeerLink | null = null;
  peer: PeerAddress | null = null;
  lastError: UpstreamError | null = null;
  reconnects = 0;
  /** Set while the slot waits (`reconnecting`, `idle`), null otherwise. */
  retry: SlotRetry | null = null;
  /** Unsuccessful attempts in a row (the backoff's exponent). */
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(readonly deps: SlotDeps) {
    super();
  }

  get id(): string {
    return this.deps.id;
  }

  /** Starts connecting (now). */
  start(): void {
    this.#connect();
  }

  /** Closes the current link and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.retry = null;
    this.link?.close('closed: gateway shutting down');
    this.#setState('closed');
  }

  #setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.since = Date.now();
    const { id, role } = this.deps;
    const waiting = this.retry === null ? {} : { cause: this.retry.cause, retryInMs: Math.max(0, this.retry.at - this.since), wait: this.retry.reason };
    this.deps.logger.info({ link: id, role, peer: this.link?.address ?? null, state, err: this.lastError?.message, ...waiting }, `upstream link ${state}`);
    this.emit('state', state);
  }

  #connect(): void {
    if (this.#stopped) return;
    const choice = this.deps.choosePeer(this);
    if (!('host' in choice)) {
      const { cause, retryAt, reason } = choice;
      if (cause === 'no_peer') this.peer = null;
      return this.#wait(cause === 'no_peer' ? 'idle' : 'reconnecting', { cause, at: retryAt, reason });
    }
    this.retry = null;
    this.peer = choice;
    const link = this.deps.createLink(choice, this.deps.role);
    this.link = link;
    let worked = false;
    link.on('state', (state) => {
      if (state === 'closed') return;
      if (state === 'ready') worked = true;
      this.#setState(state);
    });
    link.on('notification', (frame) => this.emit('notification', frame, link));
    link.on('close', (error, verdict) => {
      this.lastError = error;
      if (verdict.cause === 'banned') this.deps.ban(choice, verdict.banMs, error.message);
      if (this.#stopped) return;
      // A link that worked and then dropped starts a new series; refusals keep growing the delay.
      if (worked && verdict.cause === 'failed') this.#attempt = 0;
      this.#attempt++;
      this.reconnects++;
      if (verdict.cause === 'banned') {
        // The pool now keeps the banned node out: look for another peer at once, or wait for the ban.
        this.#setState('reconnecting');
        return this.#connect();
      }
      const attempts = `${this.#attempt} unsuccessful attempt${this.#attempt === 1 ? '' : 's'} in a row`;
      this.#wait('reconnecting', { cause: verdict.cause, at: Date.now() + this.deps.backoff(this.#attempt), reason: `backoff after ${attempts}` });
    });
    this.#setState('connecting');
    // open() reports failure through the close event above as well.
    link.open().catch(() => undefined);
  }

  #wait(state: 'reconnecting' | 'idle', retry: SlotRetry): void {
    this.retry = retry;
    this.#setState(state);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#connect(), Math.max(0, retry.at - Date.now()));
    this.#timer.unref();
  }
}
