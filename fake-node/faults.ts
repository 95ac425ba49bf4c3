/**
 * Scripted misbehaviour of the fake node, switchable at run time: reply faults per request type (or
 * for every request with '*'), and connection faults under 'connect'. A fault may be limited to its
 * next `times` uses, after which it clears itself (handy for "fails once, then the retry works").
 */

/** How the node mishandles a request. */
export type ReplyFault =
  | { kind: 'hang' } // never answer
  | { kind: 'disconnectMidReply' } // send half of the reply's WebSocket frame, then destroy the socket
  | { kind: 'garbage' } // answer with a binary frame that is not a Message
  | { kind: 'wrongReplyType' } // answer with a valid message of a type the request cannot get
  | { kind: 'reject' } // answer with the request's reject message (or `error` when it has none)
  | { kind: 'slow'; ms: number } // answer correctly after a delay
  | { kind: 'badHeaderHash' } // serve blocks whose foliage (so header hash) differs from the chain's
  | { kind: 'wrongHeight' }; // serve the block of the next height instead of the requested one

/** How the node mishandles a new connection. */
export type ConnectFault =
  | { kind: 'refuse' } // HTTP 403 on the upgrade, as for a banned IP
  | { kind: 'wrongNetwork'; network?: string } // handshake reply with another network_id
  | { kind: 'closeAfterHandshake' }; // reply to the handshake, then close 1000 (as when slots are full)

export type Fault = ReplyFault | ConnectFault;

const CONNECT_KINDS = new Set<string>(['refuse', 'wrongNetwork', 'closeAfterHandshake']);

interface Entry<F> {
  fault: F;
  remaining: number;
}

export class Faults {
  readonly #reply = new Map<string, Entry<ReplyFault>>();
  #connect: Entry<ConnectFault> | undefined;

  /** Sets a reply fault for one request type ('*': every request), or a connection fault ('connect'). */
  set(target: 'connect', fault: ConnectFault, options?: { times?: number }): void;
  set(target: string, fault: ReplyFault, options?: { times?: number }): void;
  set(target: string, fault: Fault, options: { times?: number } = {}): void {
    const remaining = options.times ?? Number.POSITIVE_INFINITY;
    const isConnect = CONNECT_KINDS.has(fault.kind);
    if ((target === 'connect') !== isConnect) {
      throw new TypeError(`fault "${fault.kind}" ${isConnect ? "needs target 'connect'" : "cannot target 'connect'"}`);
    }
    if (isConnect) this.#connect = { fault: fault as ConnectFault, remaining };
    else this.#reply.set(target, { fault: fault as ReplyFault, remaining });
  }

  /** Removes the fault of one target, or every fault. */
  clear(target?: string): void {
    if (target === undefined) {
      this.#reply.clear();
      this.#connect = undefined;
    } else if (target === 'connect') this.#connect = undefined;
    else this.#reply.delete(target);
  }

  /** Consumes one use of the fault for a request of type `name` (its own, else the '*' one). */
  takeReply(name: string): ReplyFault | undefined {
    const key = this.#reply.has(name) ? name : '*';
    const entry = this.#reply.get(key);
    if (entry === undefined) return undefined;
    if (--entry.remaining <= 0) this.#reply.delete(key);
    return entry.fault;
  }

  /** Consumes one use of the connection fault of kind `kind`, if that is the one set. */
  takeConnect<K extends ConnectFault['kind']>(kind: K): Extract<ConnectFault, { kind: K }> | undefined {
    const entry = this.#connect;
    if (entry === undefined || entry.fault.kind !== kind) return undefined;
    if (--entry.remaining <= 0) this.#connect = undefined;
    return entry.fault as Extract<ConnectFault, { kind: K }>;
  }
}
