/**
 * One managed link position of a role (`full_node#1`): it holds at most one PeerLink at a time and
 * replaces it when it closes, after a backoff. Its status machine is the ioredis one:
 * connecting → handshaking → ready → reconnecting → connecting … → closed, emitted on each change.
 */
import { EventEmitter } from 'node:events';
import type { UpstreamError } from './errors.js';
import type { BackoffStrategy } from './backoff.js';
import type { Logger } from './logger.js';
import type { PeerLink } from './peer-link.js';
import type { IncomingFrame } from './request-map.js';
import type { LinkState, PeerAddress, Role } from './upstream-api.js';

export interface SlotEvents {
  state: [state: LinkState];
  notification: [frame: IncomingFrame, link: PeerLink];
}

export interface SlotDeps {
  role: Role;
  id: string;
  /** The next peer to try, or the time (epoch ms) when one becomes available. */
  choosePeer: (slot: LinkSlot) => PeerAddress | { retryAt: number };
  /** Marks a peer that refused or banned us, so every slot avoids it for a while. */
  penalise: (peer: PeerAddress, refused: boolean) => void;
  createLink: (peer: PeerAddress, role: Role) => PeerLink;
  backoff: BackoffStrategy;
  logger: Logger;
}

export class LinkSlot extends EventEmitter<SlotEvents> {
  state: LinkState = 'connecting';
  since = Date.now();
  link: PeerLink | null = null;
  peer: PeerAddress | null = null;
  lastError: UpstreamError | null = null;
  reconnects = 0;
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
    this.link?.close('closed: gateway shutting down');
    this.#setState('closed');
  }

  #setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.since = Date.now();
    const { id, role } = this.deps;
    this.deps.logger.info({ link: id, role, peer: this.link?.address ?? null, state, err: this.lastError?.message }, `upstream link ${state}`);
    this.emit('state', state);
  }

  #connect(): void {
    if (this.#stopped) return;
    const choice = this.deps.choosePeer(this);
    if (!('host' in choice)) return this.#retryAt(choice.retryAt);
    this.peer = choice;
    const link = this.deps.createLink(choice, this.deps.role);
    this.link = link;
    link.on('state', (state) => {
      if (state === 'closed') return;
      if (state === 'ready') this.#attempt = 0;
      this.#setState(state);
    });
    link.on('notification', (frame) => this.emit('notification', frame, link));
    link.on('close', (error, refused) => {
      this.lastError = error;
      if (refused) this.deps.penalise(choice, true);
      if (this.#stopped) return;
      this.#attempt++;
      this.reconnects++;
      this.#retryAt(Date.now() + this.deps.backoff(this.#attempt, false));
    });
    this.#setState('connecting');
    // open() reports failure through the close event above as well.
    link.open().catch(() => undefined);
  }

  #retryAt(at: number): void {
    this.#setState('reconnecting');
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#connect(), Math.max(0, at - Date.now()));
    this.#timer.unref();
  }
}
