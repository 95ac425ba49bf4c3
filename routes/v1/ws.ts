/** GET /v1/ws: live peaks over WebSocket (JSON text frames). Protocol: README "Live peaks". */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { LiveQuery, ServerMessage } from '../../schemas/live.js';
import { Problem, ref } from '../../schemas/common.js';
import { liveGuard, releaseSlot } from '../../src/live/live-guards.js';
import { cursorGuard, cursorOf } from '../../src/live/cursor.js';
import { WsSink } from '../../src/live/ws-sink.js';
import { WEBSOCKET_VERSION, handshakeGuard, upgradeRequired } from '../../src/live/upgrade-rejections.js';
import { sendProblem } from '../../src/http/problem.js';
import { envName } from '../../src/config/options.js';
import { LIVE_PROTOCOL_NOTE, LIVE_REFUSALS } from './live-responses.js';

/** Answered by the upgrade (or a refusal before it), so untyped here: the map documents it. */
const RESPONSES: Record<number, unknown> = {
  101: {
    description:
      'Switching Protocols. Each server text frame is one LiveServerMessage (below); a client sends ' +
      'LiveClientMessage frames (components/schemas/LiveClientMessage).',
    content: { 'application/json': { schema: ref(ServerMessage) } },
  },
  ...LIVE_REFUSALS,
  400: {
    description: `${LIVE_REFUSALS[400].description}; or an invalid handshake (LIVE_HANDSHAKE_INVALID: Sec-WebSocket-Key, a missing Sec-WebSocket-Version, Sec-WebSocket-Protocol)`,
    content: { 'application/problem+json': { schema: ref(Problem) } },
  },
  426: {
    description:
      'A plain GET (or HEAD) without Upgrade: websocket (LIVE_UPGRADE_REQUIRED, with Upgrade: websocket), or a ' +
      `Sec-WebSocket-Version other than ${WEBSOCKET_VERSION} (LIVE_WEBSOCKET_VERSION_UNSUPPORTED, with Sec-WebSocket-Version: ${WEBSOCKET_VERSION})`,
    content: { 'application/problem+json': { schema: ref(Problem) } },
  },
};

export default async function wsRoutes(fastify: FastifyInstance): Promise<void> {
  // @fastify/websocket in this scope only (src/plugins/live-websocket.ts).
  await fastify.register(fastify.websocketScope);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.route({
    method: 'GET',
    url: '/ws',
    schema: {
      operationId: 'liveWebSocket',
      tags: ['live'],
      summary: 'Live peaks over WebSocket',
      description:
        `${LIVE_PROTOCOL_NOTE} A client receives live peaks right after \`hello\` without subscribing; it may send ` +
        '`subscribe` (with a cursor to replay), `unsubscribe` and `ping` (see LiveClientMessage); an invalid ' +
        `message is answered with an \`error\` frame and the connection stays open. Frames above ${envName('wsMaxMessageBytes')} ` +
        `bytes close the connection with 1009. A client sending more than ${envName('wsMessageBurst')} messages at once, or more than ` +
        `${envName('wsMessageRate')} a second over time, gets an \`error\` frame (MESSAGE_RATE_EXCEEDED) and is closed with 1008. ` +
        `Clients that stop reading past ${envName('wsSendBufferBytes')} of unsent data, or miss a heartbeat ` +
        'ping, are closed with 1008; shutdown closes with 1001. `?last_event_id=` or `?since=` replays on connect ' +
        `(atomically, before any live peak). At most ${envName('wsMaxClientsPerIp')} live connections (WebSocket + SSE) per ` +
        'client IP; beyond it the upgrade is refused with 429. Every refused upgrade is answered with ' +
        'problem+json and `Connection: close`, then its socket is closed; an upgrade with another method than GET ' +
        'gets 405 (METHOD_NOT_ALLOWED) with `Allow`. **Coins:** `subscribe` with topic `coins`, `puzzle_hashes` (0x hex or ' +
        `addresses) and/or \`coin_ids\` (at most ${envName('wsMaxCoinKeys')} keys per connection) replaces the connection's coin ` +
        'subscription; `coins` events follow for every block that changes one of its coins, each with a `cursor`; with ' +
        '`cursor`, what changed after it is read from the chain and sent first, then `subscribed` (with the cursor live ' +
        'events continue from).',
      querystring: LiveQuery,
      response: RESPONSES,
    },
    // Malformed handshakes and cursors first: they are refused whether or not there is room.
    onRequest: [handshakeGuard, cursorGuard({ lastEventIdHeader: false }), liveGuard],
    handler: (_request, reply) => sendProblem(reply, upgradeRequired()),
    wsHandler: (socket, request) => {
      const hub = app.peakHub;
      // Listeners are attached synchronously, before anything can arrive (@fastify/websocket README).
      releaseSlot(request);
      const client = hub.attach(new WsSink(socket), cursorOf(request.query), request.ip);
      socket.on('message', (data, isBinary) => {
        const live = isBinary ? hub.reject(client, 'BINARY_UNSUPPORTED', 'send JSON text frames') : hub.receive(client, rawText(data));
        // A client the hub let go (over its message budget) is not read any more: the rest of a
        // flood is left unparsed, and the close frame's grace period ends the connection.
        if (!live) socket.pause();
      });
      socket.on('close', () => hub.detach(client));
    },
  });
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
