/**
 * Answers one request through the scripted faults (faults.ts): the normal reply from handlers.ts or
 * wallet-handlers.ts, or a hang, a delay, a reject, a wrong type, garbage, or half a frame followed
 * by a dead socket.
 */
import { encodeFrame, MessageType, type MessageName } from '../src/chia/codec/index.js';
import type { FakeChain } from './chain.js';
import type { Faults } from './faults.js';
import {
  BLOCK_HANDLERS,
  rejectFor,
  wrongTypeFor,
  type BlockFault,
  type FakePeer,
  type HandlerContext,
  type Reply,
  type WalletPeer,
} from './handlers.js';
import { WALLET_HANDLERS } from './wallet-handlers.js';

const HANDLERS = { ...BLOCK_HANDLERS, ...WALLET_HANDLERS };

/** True when the fake node answers requests of this type. */
export function isServed(name: MessageName): boolean {
  return HANDLERS[name] !== undefined;
}

/** The reply to a served request, or null when the node sends none. */
function handle(ctx: HandlerContext, name: MessageName, req: Record<string, unknown>): Reply | null {
  const handler = HANDLERS[name];
  if (handler === undefined) throw new Error(`${name} is not served`);
  return handler(ctx, req);
}

/** A binary frame that is not a Message (id flag 5), for the `garbage` fault. */
const GARBAGE = Uint8Array.of(0x1b, 0x05, 0xde, 0xad, 0xbe, 0xef);

/** What the replier needs from its connection. */
export interface ReplyChannel {
  chain: FakeChain;
  peers: readonly FakePeer[];
  faults: Faults;
  wallet: WalletPeer;
  send(bytes: Uint8Array): void;
  /** Writes the start of a WebSocket frame carrying `bytes`, then destroys the socket. */
  cutMidFrame(bytes: Uint8Array): void;
  /** Runs `fn` after `ms` unless the connection closed first. */
  later(fn: () => void, ms: number): void;
}

/**
 * Answers request `name` (id `id`). `done` runs when the node's handler would return: at once, or
 * after a `slow` delay; a `hang` is a handler that returned without replying (§h.3).
 */
export function reply(channel: ReplyChannel, name: MessageName, id: number | null, request: Record<string, unknown>, done: () => void): void {
  const fault = channel.faults.takeReply(name);
  const blockFault: BlockFault = fault?.kind === 'badHeaderHash' || fault?.kind === 'wrongHeight' ? fault.kind : undefined;
  const frameOf = (r: Reply) => encodeFrame({ type: MessageType[r.name], id, data: r.data });
  const answer = () => {
    const r = handle({ chain: channel.chain, peers: channel.peers, blockFault, wallet: channel.wallet }, name, request);
    if (r !== null) channel.send(frameOf(r));
    done();
  };
  switch (fault?.kind) {
    case 'hang':
      return done();
    case 'garbage':
      channel.send(GARBAGE);
      return done();
    case 'reject':
      channel.send(frameOf(rejectFor(name, request)));
      return done();
    case 'wrongReplyType':
      channel.send(frameOf(wrongTypeFor(name)));
      return done();
    case 'slow':
      return channel.later(answer, fault.ms);
    case 'disconnectMidReply': {
      const r = handle({ chain: channel.chain, peers: channel.peers, blockFault, wallet: channel.wallet }, name, request);
      return channel.cutMidFrame(r === null ? new Uint8Array(0) : frameOf(r));
    }
    default:
      return answer();
  }
}
