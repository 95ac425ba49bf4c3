/** GET /v1/events: the live peak stream as Server-Sent Events. Protocol: README "Live peaks". */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EventsQuery, ServerMessage } from '../../schemas/live.js';
import { ref } from '../../schemas/common.js';
import { liveGuard, releaseSlot } from '../../src/live/live-guards.js';
import { cursorGuard, cursorOf } from '../../src/live/cursor.js';
import { coinsOfQuery } from '../../src/live/coin-keys.js';
import { SseSink } from '../../src/live/sse-sink.js';
import { envName } from '../../src/config/options.js';
import { LIVE_PROTOCOL_NOTE, LIVE_REFUSALS } from './live-responses.js';

/** How long a browser waits before reconnecting (the SSE `retry:` field). */
export const SSE_RETRY_MS = 2_000;

/** The headers of the stream, also the answer to HEAD. */
const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // Reverse proxies (nginx) must not buffer the stream.
  'x-accel-buffering': 'no',
};

/** The stream is written on the hijacked raw response, so untyped here: the map documents it. */
const RESPONSES: Record<number, unknown> = {
  200: {
    description: 'An endless text/event-stream; the data of each event is one LiveServerMessage',
    content: { 'text/event-stream': { schema: ref(ServerMessage) } },
  },
  ...LIVE_REFUSALS,
};

export default async function eventsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/events', {
    schema: {
      operationId: 'liveEvents',
      tags: ['live'],
      summary: 'Live peaks as Server-Sent Events',
      description:
        `${LIVE_PROTOCOL_NOTE} Each SSE event has \`event:\` set to the message type and \`data:\` set to the ` +
        'same JSON as the WebSocket frame; `peak` and `reorg` carry `id:` (the event id). **Last-Event-ID:** ' +
        'an EventSource that reconnects sends the request header `Last-Event-ID` (the id of the last event it ' +
        'received) and gets exactly the events it missed; it names the same cursor as `?last_event_id=` and wins ' +
        'over both query cursors, which serve a first connect. A value that is not a decimal event id is refused ' +
        'with 400, like a bad query cursor; an empty one counts as none. ' +
        '(The header is described here rather than as a parameter, so that generated clients do not get two ' +
        `parameters of the same name.) A \`: heartbeat\` comment is sent every ${envName('wsHeartbeatMs')} ms; a ` +
        `client that stops reading past ${envName('wsSendBufferBytes')} of unsent data has its stream ended. At most ` +
        `${envName('wsMaxClientsPerIp')} live connections (WebSocket + SSE) per client IP; beyond it the request is refused with 429. ` +
        'HEAD answers with the headers of the stream and opens none. **Coins:** `puzzle_hashes` (0x hex or addresses) ' +
        'and/or `coin_ids`, comma-separated (at most ' + envName('wsMaxCoinKeys') + ' keys), subscribe to `coins` events from ' +
        'the start; `cursor` (or a `Last-Event-ID` in coin-cursor form, which an EventSource sends on its own: a coin ' +
        'subscriber\'s events carry the coin cursor as `id:`, its peak events none) first sends what changed after it. ' +
        'A bad key or cursor is refused with 400.',
      querystring: EventsQuery,
      response: RESPONSES,
    },
    // A malformed cursor is refused whether or not there is room.
    onRequest: [cursorGuard({ lastEventIdHeader: true }), liveGuard],
    handler: (request, reply) => {
      // HEAD (Fastify's HEAD route of this GET) gets the stream's headers and no stream: an
      // attached client would hold a live slot for a response that can never carry a byte.
      if (request.method === 'HEAD') return reply.code(200).headers(STREAM_HEADERS).send();
      // Not in the route schema (see the description); Node joins a repeated header into one string.
      const lastEventId = request.headers['last-event-id'];
      const header = typeof lastEventId === 'string' ? lastEventId : undefined;
      const cursor = cursorOf(request.query, header);
      const { network, ws } = app.config;
      // Before the stream starts, so that a bad key is a 400.
      const coins = coinsOfQuery(request.query, header, network, ws.maxCoinKeys);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        // Headers set by earlier hooks (CORS, request id) survive the hijack.
        ...(reply.getHeaders() as Record<string, string>),
        ...STREAM_HEADERS,
        connection: 'keep-alive',
      });
      res.write(`retry: ${SSE_RETRY_MS}\n\n`);
      releaseSlot(request);
      const client = app.peakHub.attach(new SseSink(res), cursor, request.ip, coins);
      const detach = () => app.peakHub.detach(client);
      res.on('close', detach);
      res.on('error', detach);
    },
  });
}
